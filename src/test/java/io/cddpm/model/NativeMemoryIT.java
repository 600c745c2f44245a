package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Precision;
import io.cddpm.config.SamplingConfig;
import io.cddpm.core.Engines;
import io.cddpm.core.StopRequest;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.IclevrDataset;
import io.cddpm.data.Labels;
import io.cddpm.diffusion.DdimScheduler;
import io.cddpm.diffusion.DdpmScheduler;
import io.cddpm.diffusion.DpmSolverMultistepScheduler;
import io.cddpm.diffusion.SamplerKind;
import io.cddpm.eval.Accuracy;
import io.cddpm.eval.CheckpointScorer;
import io.cddpm.eval.Evaluator;
import io.cddpm.eval.EvaluatorTrainer;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.RunFolder;
import io.cddpm.sampling.ImageSampler;
import io.cddpm.train.Trainer;
import io.cddpm.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native-memory loop (issue 30 item 1), for the AddressSanitizer profile ({@code make asan}, i.e.
 * {@code mvn -Pasan verify}): for a few minutes, over and over, train a tiny 16x16 model (stopped in the
 * middle of an epoch and resumed from the step-exact checkpoint, so every load path runs), sample it
 * (DDIM, DPM-Solver++ and DDPM, classifier-free and per-object guidance, fp32 and bf16, plain and
 * cross-attention conditioning) and re-score the checkpoint with an evaluator, with a full GC between
 * the stages so that Java-owned memory is given back while libtorch could still point at it. The JVM
 * runs with the ASan runtime preloaded, the native kernels built with {@code -fsanitize=address} and
 * {@code -Xcheck:jni}: any heap-use-after-free, double free or bad JNI call in those aborts the fork,
 * which fails the build. On top of what ASan sees, the same checkpoint sampled twice with the same
 * seed must give bit-identical images: a tensor that reads memory given back in between (libtorch's
 * own reads are not instrumented) would not.
 *
 * <p>The model is deliberately small: under {@code -Xcheck:jni} the JDK's own zip streams copy the
 * whole array they are given on every native call, so writing a checkpoint costs its size squared
 * (a 24 MB one took a minute). Without the ASan runtime in the process the test is skipped, loudly
 * (a banner on stderr and the reason in the report). {@code -Dcddpm.asan.seconds} sets the loop's
 * length (default 180).
 */
class NativeMemoryIT {
    private static final Duration LOOP = Duration.ofSeconds(Long.getLong("cddpm.asan.seconds", 180));

    @BeforeAll
    static void asanRuntime() {
        if (!TorchKernels.asanRuntimeLoaded()) {
            String why = "NativeMemoryIT SKIPPED: the AddressSanitizer runtime is not loaded in this JVM. Run it with `make asan`"
                    + " (the asan Maven profile with LD_PRELOAD of $(g++ -print-file-name=libasan.so) and libstdc++; see"
                    + " docs/native-memory.md).";
            System.err.println("\n" + "!".repeat(100) + "\n" + why + "\n" + "!".repeat(100) + "\n");
            Assumptions.abort(why);
        }
        Engines.pytorch();
        assertTrue(TorchKernels.available(), "the native kernels must load under ASan: " + TorchKernels.unavailableReason());
        if (!TorchKernels.asanBuild()) {
            System.err.println("NativeMemoryIT: WARNING: the native kernels are not the ASan build (mvn -Pasan builds them);"
                    + " only the frees and copies ASan intercepts are checked");
        }
    }

    @AfterEach
    void forget() {
        StopRequest.reset();
    }

    private static final String CONFIG = """
            name: %s
            output_dir: %s
            resolution: 16
            dataset: { render: { count: 48, seed: 0 } }
            diffusion: { train_timesteps: 40 }
            sampling: { sampler: ddim, steps: 4 }
            model: { preset: custom, block_out_channels: [8, 16], layers_per_block: 1, attention_levels: [false, true],
                     norm_groups: 4, attention_head_dim: 8, conditioning: %s }
            training: { epochs: 2, batch_size: 16, checkpoint_every: 1, lr: 0.001, warmup_steps: 2, hflip: true,
                        precision: %s, ema: { decay: 0.9 } }
            """;

    @Test
    void samplingTrainingAndRescoringStayCleanUnderAsan(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        IclevrDataset data = DatasetPreparer.load(config(dir, "data", "add", Precision.FP32).dataset(), 16, runs, null);
        Path evaluatorWeights = dir.resolve("evaluator.safetensors");
        new EvaluatorTrainer(new EvaluatorTrainer.Options(1, 8, 1e-3, 1e-4, 0, 0, Precision.FP32)).train(
                data.subset(IntStream.range(0, 16).toArray()), data.subset(IntStream.range(40, 48).toArray()),
                Labels.builtin().names(), evaluatorWeights, new EvaluatorTrainer.Listener() {});
        ConditionFile conditions = ConditionFile.builtin("test", Labels.builtin());

        long deadline = System.nanoTime() + LOOP.toNanos();
        int round = 0;
        try (Evaluator evaluator = Evaluator.load(evaluatorWeights)) {
            do {
                int r = round;
                // every other round on a fresh thread, as the pipeline's Camel/Quartz workers run it: libtorch's
                // grad mode is per thread and on there (DJL switches it off only on the engine's first thread)
                if (round % 2 == 1) {
                    onAnotherThread(() -> round(dir, runs, data, evaluator, conditions, r));
                } else {
                    round(dir, runs, data, evaluator, conditions, r);
                }
                round++;
            } while (System.nanoTime() < deadline);
        }
        System.err.println("NativeMemoryIT: " + round + " rounds of training + sampling + re-scoring in " + LOOP.toSeconds()
                + " s, no fault (ASan build of the kernels: " + TorchKernels.asanBuild() + ")");
    }

    /** One round: train (stopped and resumed), re-score twice, sample twice; asserts determinism. */
    private static void round(Path dir, Path runs, IclevrDataset data, Evaluator evaluator, ConditionFile conditions, int round)
            throws Exception {
        Precision precision = round / 2 % 2 == 0 ? Precision.FP32 : Precision.BF16;
        String conditioning = round % 3 == 2 ? "cross_attention" : "add";
        ExperimentConfig config = config(dir, "r" + round, conditioning, precision);
        RunFolder run = RunFolder.of(runs.resolve("r" + round).resolve("default"));

        // train, stopped after step 4 of 6 (mid-epoch 2), then resumed from the step-exact checkpoint
        TrainingListener stopAfter4 = new TrainingListener() {
            @Override
            public void onStep(long step, double loss, double lr) {
                if (step == 4) {
                    StopRequest.request("test");
                }
            }
        };
        assertThrows(StopRequest.Stopped.class, () -> new Trainer(config, run, data, stopAfter4, Trainer.Progress.QUIET).train(null));
        StopRequest.reset();
        fullGc();
        Trainer.Result done = new Trainer(config, run, data, null, Trainer.Progress.QUIET).train(run.resumeCheckpoint().orElseThrow());
        assertEquals(6, done.steps());
        fullGc();

        // re-score: sample the test conditions and classify them, twice with the same seed (EMA and raw weights)
        SamplerKind sampler = List.of(DdimScheduler.KIND, DpmSolverMultistepScheduler.KIND, DdimScheduler.KIND).get(round % 3);
        SamplingConfig sampling = new SamplingConfig(sampler, 4, round % 2 == 0 ? 0.0 : 0.5, 2.0, round % 2 == 0 ? 1.0 : 0.0,
                round, round % 4 != 3);
        Map<String, Accuracy.Result> first = CheckpointScorer.score(done.lastCheckpoint(), sampling, List.of(conditions), evaluator, 16);
        fullGc();
        Map<String, Accuracy.Result> again = CheckpointScorer.score(done.lastCheckpoint(), sampling, List.of(conditions), evaluator, 16);
        assertEquals(first.get("test").accuracy(), again.get("test").accuracy(), "the same checkpoint and seed score the same");

        // the images themselves, bit for bit, with a GC between two sampling runs of one sampler
        float[] a = images(done.lastCheckpoint(), sampling, conditions);
        fullGc();
        float[] b = images(done.lastCheckpoint(), sampling, conditions);
        assertArrayEquals(a, b, "round " + round + ": the same checkpoint and seed must give the same images");
        for (float v : a) {
            assertTrue(Float.isFinite(v), "round " + round + ": non-finite sample");
        }
        if (round % 5 == 4) { // DDPM takes every train timestep (40 here): now and then only
            images(done.lastCheckpoint(), new SamplingConfig(DdpmScheduler.KIND, 0, 0, 1.0, 0, round, true), conditions);
        }
        System.err.printf("NativeMemoryIT: round %d clean (%s, %s, %s, %s thread)%n", round, precision.id(), conditioning,
                sampler.id(), Thread.currentThread().getName());
    }

    /** Runs body on a fresh thread and rethrows what it threw. */
    private static void onAnotherThread(ThrowingRunnable body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                StopRequest.reset();
            }
        }, "worker");
        t.start();
        t.join();
        Throwable e = failure.get();
        if (e instanceof Exception ex) {
            throw ex;
        }
        if (e instanceof Error err) {
            throw err;
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static ExperimentConfig config(Path dir, String name, String conditioning, Precision precision) throws Exception {
        Path yaml = dir.resolve(name + ".yaml");
        Files.writeString(yaml, CONFIG.formatted(name, dir.resolve("runs"), conditioning, precision.id()));
        return ConfigLoader.load(yaml);
    }

    private static float[] images(Path checkpoint, SamplingConfig sampling, ConditionFile conditions) {
        try (ImageSampler sampler = ImageSampler.fromCheckpoint(checkpoint, sampling.useEma());
                NDManager out = NDManager.newBaseManager()) {
            return sampler.sample(conditions.multiHot(), sampling, 16, 2, out).images().toFloatArray();
        }
    }

    /** Makes the JVM give back what is unreachable now, direct buffers included (their cleaners run after the GC). */
    private static void fullGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
    }
}
