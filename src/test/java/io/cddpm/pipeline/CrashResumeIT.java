package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cddpm.tracking.MlflowRest;
import io.cddpm.tracking.MlflowServer;
import io.cddpm.tracking.MlflowTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test: the JVM running a two-trial sweep is killed (SIGKILL) in the middle of the second
 * trial's training; running the same command again reuses the finished trial, resumes the killed one
 * from its newest checkpoint and finishes it, and MLflow ends with one parent run and one run per
 * trial, each step's loss logged exactly once.
 */
class CrashResumeIT {
    private static final int EPOCHS = 8;
    private static final int STEPS_PER_EPOCH = 6; // 96 images, batch 16

    @Test
    void aKilledSweepResumesIntoTheSameMlflowRuns(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("crash.yaml");
        Files.writeString(yaml, """
                name: crash-it
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 96, seed: 0 }, test_files: [test] }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: %d, batch_size: 16, checkpoint_every: 2, evaluate_every: 4 }
                sampling: { sampler: ddim, steps: 5, guidance: 2.0 }
                evaluation: { evaluator: train, evaluator_epochs: 1 }
                sweep:
                  diffusion.prediction_type: [epsilon, sample]
                """.formatted(dir.resolve("runs"), EPOCHS));
        Path killed = dir.resolve("runs/crash-it/prediction_type=sample/checkpoints");
        Path exe = MlflowTestServer.executableOrSkip();
        try (MlflowServer server = MlflowTestServer.start(exe, dir.resolve("mlflow"), MlflowServer.freePort())) {
            Path log1 = dir.resolve("first.log");
            Process first = cddpm(dir, log1, "run", yaml.toString(), "--set", "tracking.uri=" + server.trackingUri());
            long deadline = System.nanoTime() + 600_000_000_000L;
            while (!Files.isRegularFile(killed.resolve("epoch-0002.ckpt"))) {
                assertTrue(first.isAlive(), "the run ended before it could be killed:\n" + Files.readString(log1));
                assertTrue(System.nanoTime() < deadline, "no checkpoint of the second trial within 10 minutes");
                Thread.sleep(50);
            }
            first.destroyForcibly(); // SIGKILL: no shutdown hooks, no flush
            first.waitFor();
            assertFalse(Files.isRegularFile(killed.resolve(String.format("epoch-%04d.ckpt", EPOCHS))), "killed too late");
            System.out.println("killed the sweep after " + killed.resolve("epoch-0002.ckpt") + " was written");

            Path log2 = dir.resolve("second.log");
            Process second = cddpm(dir, log2, "run", yaml.toString(), "--set", "tracking.uri=" + server.trackingUri());
            assertEquals(0, second.waitFor(), Files.readString(log2));
            String out = Files.readString(log2);
            assertTrue(out.contains("reused"), out);
            assertTrue(out.contains("resuming from"), out);

            MlflowRest rest = new MlflowRest(server.trackingUri());
            String experimentId = rest.experimentByName("crash-it").get("experiment_id").asText();
            List<JsonNode> parents = new ArrayList<>();
            List<JsonNode> children = new ArrayList<>();
            for (JsonNode r : rest.searchRuns(experimentId).path("runs")) {
                Map<String, String> tags = MlflowRest.keyValues(r.at("/data/tags"));
                ("sweep".equals(tags.get("cddpm.kind")) ? parents : children).add(r);
            }
            assertEquals(1, parents.size(), "the restart continues the killed sweep's parent run");
            assertEquals("FINISHED", parents.get(0).at("/info/status").asText());
            assertEquals(2, children.size(), "one MLflow run per trial");
            for (JsonNode child : children) {
                assertEquals("FINISHED", child.at("/info/status").asText());
                String runId = child.at("/info/run_id").asText();
                List<JsonNode> loss = rest.history(runId, "loss");
                Set<Long> steps = new HashSet<>();
                loss.forEach(p -> steps.add(p.get("step").asLong()));
                assertEquals(EPOCHS * STEPS_PER_EPOCH, loss.size(), "every step once, none twice: " + steps);
                assertEquals(EPOCHS * STEPS_PER_EPOCH, steps.size());
                assertEquals(EPOCHS, rest.history(runId, "epoch_loss").size());
                assertEquals(2, rest.history(runId, "accuracy_test").size(), "epoch 4 and the final evaluation");
            }
        }
    }

    private static Process cddpm(Path workDir, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dcddpm.state=" + workDir.resolve("state"), "-jar",
                Path.of("target/cddpm.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
