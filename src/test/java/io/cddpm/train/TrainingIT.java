package io.cddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.cddpm.cli.Main;
import io.cddpm.core.Engines;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.RunFolder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real training loop end to end on a tiny rendered set, through the command line: the loss
 * falls, resident memory stays flat (measured in a separate JVM whose heap is committed up front, so
 * only native memory can move), a resumed run ends with the same weights as an uninterrupted one,
 * sampling writes its files, and a damaged checkpoint is refused with a clear message. The forked
 * training runs once; each test only reads its folder and writes under a folder of its own.
 */
class TrainingIT {
    private static final String CONFIG = """
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
            """;

    private static Path work;
    private static RunFolder trained;

    @BeforeAll
    static void trainOnceInAForkedJvm() throws Exception {
        work = Files.createTempDirectory("cddpm-training-it");
        Files.writeString(work.resolve("it.yaml"), CONFIG.formatted(work.resolve("runs")));
        trained = RunFolder.of(work.resolve("runs/it/default"));
        Path jar = Path.of("target/cddpm.jar").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xms768m", "-Xmx768m", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true",
                "-jar", jar.toString(), "train", "--config", work.resolve("it.yaml").toString())
                .redirectErrorStream(true);
        pb.environment().put("MALLOC_ARENA_MAX", "2"); // as bin/cddpm runs it
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
    }

    /** history.json records the resident memory after every epoch; only native memory can move in the fork. */
    @Test
    void nativeMemoryStaysFlatOverEpochs() {
        List<EpochRecord> history = trained.readHistory();
        assertEquals(10, history.size());
        long second = history.get(1).residentMib();
        long last = history.get(9).residentMib();
        double drift = Math.abs(last - second) / (double) second;
        System.out.printf("resident memory after epoch 2: %d MiB, after epoch 10: %d MiB (%.1f%%)%n", second, last, 100 * drift);
        assertTrue(drift < 0.05, "resident memory moved: " + history);
    }

    @Test
    void lossFallsAndEveryCheckpointIsWritten() {
        List<EpochRecord> history = trained.readHistory();
        assertEquals(10, history.size());
        System.out.printf("loss epoch 1: %.4f, epoch 10: %.4f%n", history.get(0).loss(), history.get(9).loss());
        assertTrue(history.get(9).loss() < 0.3 * history.get(0).loss(), "loss did not fall: " + history);
        assertEquals(List.of(trained.checkpoint(5), trained.checkpoint(10)), trained.listCheckpoints());
    }

    @Test
    void resumingFromEpochFiveEndsWithTheSameWeights() throws Exception {
        RunFolder copy = RunFolder.of(work.resolve("runs/it/resumed"));
        Files.createDirectories(copy.checkpoints());
        Files.copy(trained.checkpoint(5), copy.checkpoint(5));
        assertEquals(0, Main.run("resume", "--checkpoint", copy.checkpoint(5).toString()));
        Engines.pytorch();
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoint straight = Checkpoint.read(trained.checkpoint(10), manager);
            Checkpoint resumed = Checkpoint.read(copy.checkpoint(10), manager);
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
    void samplesEveryTestCondition() throws Exception {
        Path out = work.resolve("samples");
        assertEquals(0, Main.run("sample", "--checkpoint", trained.checkpoint(10).toString(),
                "--conditions", "test", "--out", out.toString(), "--progressive", work.resolve("progressive.png").toString()));
        for (int i = 0; i < 32; i++) {
            assertTrue(Files.isRegularFile(out.resolve(String.format("%03d.png", i))));
        }
        assertTrue(Files.size(out.resolve("images.npz")) > 1000);
        assertTrue(Files.isRegularFile(out.resolve("grid.png")));
        assertTrue(Files.isRegularFile(work.resolve("progressive.png")));
    }

    @Test
    void aTruncatedCheckpointIsRefusedByName() throws Exception {
        Path bad = work.resolve("bad.ckpt");
        byte[] bytes = Files.readAllBytes(trained.checkpoint(5));
        Files.write(bad, Arrays.copyOf(bytes, bytes.length / 2));
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

    /**
     * The sampling table scores every (sampler, guidance, seed) setting of one checkpoint and writes them as JSON; evaluate --data
     * scores the rendered training set itself. A one-epoch evaluator is enough: the numbers are not judged, the plumbing is.
     */
    @Test
    void samplingTableAndDatasetScoring() throws Exception {
        Path data = Files.list(work.resolve("runs/datasets")).findFirst().orElseThrow();
        Path evaluator = work.resolve("evaluator.safetensors");
        assertEquals(0, Main.run("evaluator", "train", "--data", data.toString(), "--size", "16", "--epochs", "1", "--holdout", "32",
                "--batch", "16", "--out", evaluator.toString()));
        Path json = work.resolve("table.json");
        assertEquals(0, Main.run("sampling-table", "--checkpoint", trained.checkpoint(10).toString(), "--evaluator", evaluator.toString(),
                "--samplers", "ddim:2,ddim:4", "--guidance", "1,3", "--seeds", "0,1", "--json", json.toString()));
        String table = Files.readString(json);
        assertEquals(8, table.split("\"seconds_per_32_images\"", -1).length - 1, "2 samplers x 2 weights x 2 seeds: " + table);
        assertTrue(table.contains("\"new_test\""), table);
        assertTrue(table.contains("\"weights\" : \"ema\""), table);
        Path raw = work.resolve("table-raw.json");
        assertEquals(0, Main.run("sampling-table", "--checkpoint", trained.checkpoint(10).toString(), "--evaluator", evaluator.toString(),
                "--samplers", "ddim:2", "--no-ema", "--json", raw.toString()));
        String rawTable = Files.readString(raw);
        assertTrue(rawTable.contains("\"weights\" : \"raw\"") && !rawTable.contains("\"ema\""), rawTable);
        assertEquals(0, Main.run("evaluate", "--data", data.toString(), "--evaluator", evaluator.toString()));
        assertEquals(2, Main.run("sampling-table", "--checkpoint", trained.checkpoint(10).toString(), "--evaluator", evaluator.toString(),
                "--samplers", "ddim:zero"));
    }

    /** bf16 mixed precision: the loss falls as in fp32, the checkpoint keeps fp32 master weights, sampling works. */
    @Test
    void trainsAndSamplesInBf16MixedPrecision() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("cddpm.kernels.skip"), "built without native kernels");
        assertEquals(0, Main.run("train", "--config", work.resolve("it.yaml").toString(),
                "--set", "name=bf16", "--set", "training.precision=bf16", "--set", "training.epochs=5"));
        RunFolder bf16 = RunFolder.of(work.resolve("runs/bf16/default"));
        List<EpochRecord> history = bf16.readHistory();
        System.out.printf("bf16 loss epoch 1: %.4f, epoch 5: %.4f%n", history.get(0).loss(), history.get(4).loss());
        assertTrue(history.get(4).loss() < 0.5 * history.get(0).loss(), "bf16 loss did not fall: " + history);
        Engines.pytorch();
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoint c = Checkpoint.read(bf16.checkpoint(5), manager);
            for (NDArray a : c.model().values()) {
                assertEquals(DataType.FLOAT32, a.getDataType());
            }
        }
        Path out = work.resolve("samples-bf16");
        assertEquals(0, Main.run("sample", "--checkpoint", bf16.checkpoint(5).toString(),
                "--conditions", "test", "--out", out.toString(), "--steps", "10"));
        assertTrue(Files.isRegularFile(out.resolve("grid.png")));
    }
}
