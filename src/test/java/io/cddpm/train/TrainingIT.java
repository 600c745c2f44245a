package io.cddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.cddpm.cli.Main;
import io.cddpm.core.Engines;
import io.cddpm.viz.EpochRecord;
import io.cddpm.viz.RunFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real training loop end to end on a tiny rendered set, through the command line: the loss
 * falls, resident memory stays flat (measured in a separate JVM whose heap is committed up front, so
 * only native memory can move), a resumed run ends with the same weights as an uninterrupted one,
 * sampling writes its files, and a damaged checkpoint is refused with a clear message.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingIT {
    private static Path work;
    private static Path runDir;

    @BeforeAll
    static void setUp() throws IOException {
        work = Files.createTempDirectory("cddpm-training-it");
        runDir = work.resolve("runs/it/default");
        Files.writeString(work.resolve("it.yaml"), """
                name: it
                output_dir: %s
                resolution: 16
                dataset:
                  render: { count: 160, seed: 0 }
                model:
                  preset: custom
                  block_out_channels: [32, 64]
                  layers_per_block: 1
                  attention_levels: [false, true]
                training:
                  epochs: 10
                  batch_size: 32
                  lr: 0.001
                  warmup_steps: 10
                  checkpoint_every: 5
                  evaluate_every: 5
                  ema: { decay: 0.99 }
                sampling: { sampler: ddim, steps: 20, guidance: 2.0 }
                """.formatted(work.resolve("runs")));
    }

    @Test
    @Order(1)
    void trainsInAForkedJvmWithFallingLossAndFlatNativeMemory() throws Exception {
        Path jar = Path.of("target/cddpm.jar").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xms768m", "-Xmx768m", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true",
                "-jar", jar.toString(), "train", "--config", work.resolve("it.yaml").toString())
                .redirectErrorStream(true);
        pb.environment().put("MALLOC_ARENA_MAX", "2"); // as bin/cddpm runs it
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        List<Long> rss = new ArrayList<>();
        Matcher m = Pattern.compile("epoch (\\d+)/10: .* rss (\\d+) MiB").matcher(log);
        while (m.find()) {
            rss.add(Long.parseLong(m.group(2)));
        }
        assertEquals(10, rss.size(), log);
        double drift = Math.abs(rss.get(9) - rss.get(1)) / (double) rss.get(1);
        System.out.printf("resident memory after epoch 2: %d MiB, after epoch 10: %d MiB (%.1f%%)%n", rss.get(1), rss.get(9), 100 * drift);
        assertTrue(drift < 0.05, "resident memory moved " + rss);

        List<EpochRecord> history = RunFiles.history(runDir.resolve("history.json"));
        assertEquals(10, history.size());
        System.out.printf("loss epoch 1: %.4f, epoch 10: %.4f%n", history.get(0).loss(), history.get(9).loss());
        assertTrue(history.get(9).loss() < 0.3 * history.get(0).loss(), "loss did not fall: " + history);
        assertTrue(Files.isRegularFile(Trainer.checkpointPath(runDir, 5)));
        assertTrue(Files.isRegularFile(Trainer.checkpointPath(runDir, 10)));
    }

    @Test
    @Order(2)
    void resumingFromEpochFiveEndsWithTheSameWeights() throws Exception {
        Path copy = work.resolve("runs/it/resumed");
        Files.createDirectories(copy.resolve("checkpoints"));
        Files.copy(Trainer.checkpointPath(runDir, 5), Trainer.checkpointPath(copy, 5));
        assertEquals(0, Main.run("resume", "--checkpoint", Trainer.checkpointPath(copy, 5).toString()));
        Engines.pytorch();
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoint straight = Checkpoint.read(Trainer.checkpointPath(runDir, 10), manager);
            Checkpoint resumed = Checkpoint.read(Trainer.checkpointPath(copy, 10), manager);
            assertEquals(straight.step(), resumed.step());
            assertEquals(10, resumed.history().size());
            float worst = 0;
            for (String name : straight.model().keySet()) {
                NDArray a = straight.model().get(name);
                NDArray b = resumed.model().get(name);
                worst = Math.max(worst, a.sub(b).abs().max().getFloat());
            }
            assertTrue(worst < 1e-4, "resumed weights differ by " + worst);
        }
    }

    @Test
    @Order(3)
    void samplesEveryTestCondition() throws Exception {
        Path out = work.resolve("samples");
        assertEquals(0, Main.run("sample", "--checkpoint", Trainer.checkpointPath(runDir, 10).toString(),
                "--conditions", "test", "--out", out.toString(), "--progressive", work.resolve("progressive.png").toString()));
        for (int i = 0; i < 32; i++) {
            assertTrue(Files.isRegularFile(out.resolve(String.format("%03d.png", i))));
        }
        assertTrue(Files.size(out.resolve("images.npz")) > 1000);
        assertTrue(Files.isRegularFile(out.resolve("grid.png")));
        assertTrue(Files.isRegularFile(work.resolve("progressive.png")));
    }

    @Test
    @Order(4)
    void aTruncatedCheckpointIsRefusedByName() throws Exception {
        Path bad = work.resolve("bad.ckpt");
        byte[] bytes = Files.readAllBytes(Trainer.checkpointPath(runDir, 5));
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int code;
        try {
            System.setErr(new PrintStream(err, true));
            code = Main.run("resume", "--checkpoint", bad.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        assertTrue(err.toString().contains("bad.ckpt"), err.toString());
    }

    /** bf16 mixed precision: the loss falls as in fp32, the checkpoint keeps fp32 master weights, sampling works. */
    @Test
    @Order(5)
    void trainsAndSamplesInBf16MixedPrecision() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("cddpm.kernels.skip"), "built without native kernels");
        assertEquals(0, Main.run("train", "--config", work.resolve("it.yaml").toString(),
                "--set", "name=bf16", "--set", "training.precision=bf16", "--set", "training.epochs=5"));
        Path bf16Dir = work.resolve("runs/bf16/default");
        List<EpochRecord> history = RunFiles.history(bf16Dir.resolve("history.json"));
        System.out.printf("bf16 loss epoch 1: %.4f, epoch 5: %.4f%n", history.get(0).loss(), history.get(4).loss());
        assertTrue(history.get(4).loss() < 0.5 * history.get(0).loss(), "bf16 loss did not fall: " + history);
        Engines.pytorch();
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoint c = Checkpoint.read(Trainer.checkpointPath(bf16Dir, 5), manager);
            for (NDArray a : c.model().values()) {
                assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, a.getDataType());
            }
        }
        Path out = work.resolve("samples-bf16");
        assertEquals(0, Main.run("sample", "--checkpoint", Trainer.checkpointPath(bf16Dir, 5).toString(),
                "--conditions", "test", "--out", out.toString(), "--steps", "10"));
        assertTrue(Files.isRegularFile(out.resolve("grid.png")));
    }
}
