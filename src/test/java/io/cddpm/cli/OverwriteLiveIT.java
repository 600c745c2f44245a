package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes, as the probe ran them: A trains a trial; once its second checkpoint is written, B
 * runs the same `cddpm train` with --overwrite. B is refused at once (exit 2) naming A's process, A's
 * files are untouched, and A goes on to finish its training.
 */
class OverwriteLiveIT {
    @Test
    void overwriteNeverDeletesALiveTraining(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("tiny16.yaml");
        Files.writeString(yaml, """
                name: pconc
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 48, seed: 0 } }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: 12, batch_size: 16, checkpoint_every: 1, evaluate_every: 1 }
                """.formatted(dir.resolve("runs")));
        Path second = dir.resolve("runs/pconc/default/checkpoints/epoch-0002.ckpt");
        Path logA = dir.resolve("a.log");
        Process a = cddpm(dir, logA, "train", "--config", yaml.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (!Files.isRegularFile(second)) {
                assertTrue(a.isAlive(), "A ended before its second checkpoint:\n" + Files.readString(logA));
                assertTrue(System.nanoTime() < deadline, "no second checkpoint within 10 minutes:\n" + Files.readString(logA));
                Thread.sleep(50);
            }
            Path logB = dir.resolve("b.log");
            Process b = cddpm(dir, logB, "train", "--config", yaml.toString(), "--overwrite");
            assertTrue(b.waitFor(5, TimeUnit.MINUTES), "B did not end");
            String out = Files.readString(logB);
            assertEquals(2, b.exitValue(), out);
            assertTrue(out.contains("is being trained by another cddpm process (pid " + a.pid() + " on ")
                    && out.contains("--overwrite never deletes a training in progress"), out);
            assertTrue(!out.contains("deleting"), out);
            assertTrue(Files.isRegularFile(second), "A's checkpoint is still there");
            assertTrue(a.waitFor(10, TimeUnit.MINUTES), "A did not finish");
            assertEquals(0, a.exitValue(), Files.readString(logA));
            assertTrue(Files.isRegularFile(dir.resolve("runs/pconc/default/checkpoints/epoch-0012.ckpt")), Files.readString(logA));
        } finally {
            a.destroyForcibly();
        }
    }

    private static Process cddpm(Path workDir, Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dcddpm.state=" + workDir.resolve("state"), "-jar",
                Path.of("target/cddpm.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
