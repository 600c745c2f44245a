package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cddpm.core.ListeningSockets;
import io.cddpm.runs.RunFolder;
import io.cddpm.tracking.MlflowRest;
import io.cddpm.tracking.MlflowServer;
import io.cddpm.tracking.MlflowTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cddpm run} with its own local MLflow server gets SIGTERM in the middle of an epoch: while it
 * runs, it and the server listen on loopback only; after SIGTERM it exits within seconds with 130, the
 * state database closed last (no "already closed", no lost metrics), the MLflow server it started gone;
 * the next run resumes from the step-exact checkpoint and finishes, each step's loss in MLflow once.
 */
class SigtermIT {
    private static final int EPOCHS = 6;
    private static final int STEPS_PER_EPOCH = 6; // 96 images, batch 16

    @Test
    void sigtermStopsARunCleanlyAndTheNextRunResumesStepExact(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(ListeningSockets.supported(), "needs Linux /proc");
        Path exe = MlflowTestServer.executableOrSkip();
        Path yaml = dir.resolve("stop.yaml");
        Files.writeString(yaml, """
                name: stop-it
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 96, seed: 0 }, test_files: [test] }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: %d, batch_size: 16, checkpoint_every: 2, evaluate_every: 6 }
                sampling: { sampler: ddim, steps: 5, guidance: 2.0 }
                evaluation: { evaluator: train, evaluator_epochs: 1 }
                """.formatted(dir.resolve("runs"), EPOCHS));
        RunFolder folder = RunFolder.of(dir.resolve("runs/stop-it/default"));

        Path log1 = dir.resolve("first.log");
        Process first = cddpm(dir, exe, log1, "run", yaml.toString());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        // mid-epoch 2: after the first epoch's line and a little more
        while (!Files.readString(log1).contains("epoch 1/" + EPOCHS)) {
            assertTrue(first.isAlive(), "the run ended before it could be stopped:\n" + Files.readString(log1));
            assertTrue(System.nanoTime() < deadline, "no epoch within 10 minutes:\n" + Files.readString(log1));
            Thread.sleep(100);
        }
        List<ListeningSockets.Listener> listening = ListeningSockets.of(first.toHandle());
        assertFalse(listening.isEmpty(), "the local MLflow server listens");
        assertTrue(listening.stream().allMatch(ListeningSockets.Listener::loopback), "only loopback: " + listening);
        List<ProcessHandle> children = first.toHandle().descendants().toList();
        assertFalse(children.isEmpty(), "the run started its MLflow server");
        Thread.sleep(300);

        long t0 = System.nanoTime();
        first.toHandle().destroy(); // SIGTERM
        boolean exited = first.waitFor(15, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String out1 = Files.readString(log1);
        if (!exited) {
            first.destroyForcibly();
        }
        System.out.printf("SIGTERM -> exit in %.2f s; the run's last lines:%n%s%n", seconds,
                String.join("\n", out1.lines().skip(Math.max(0, out1.lines().count() - 15)).toList()));
        assertTrue(exited, "no exit within 15 s of SIGTERM:\n" + out1);
        assertEquals(130, first.exitValue(), out1);
        assertFalse(out1.contains("already closed"), out1);
        assertFalse(out1.contains("they are lost") || out1.contains("it is lost"), out1);
        assertTrue(out1.contains("interrupted"), out1);
        Thread.sleep(500);
        for (ProcessHandle child : children) {
            assertFalse(child.isAlive(), "the MLflow process " + child.pid() + " outlived the run: " + child.info());
        }
        assertTrue(Files.isRegularFile(folder.interruptedCheckpoint()), out1);
        assertFalse(Files.isRegularFile(folder.checkpoint(EPOCHS)), "stopped too late");

        Path log2 = dir.resolve("second.log");
        Process second = cddpm(dir, exe, log2, "run", yaml.toString());
        assertTrue(second.waitFor(10, TimeUnit.MINUTES));
        String out2 = Files.readString(log2);
        assertEquals(0, second.exitValue(), out2);
        assertTrue(out2.contains("resuming from " + folder.interruptedCheckpoint()), out2);
        assertFalse(Files.exists(folder.interruptedCheckpoint()), "superseded by the epoch checkpoints");
        assertEquals(EPOCHS, folder.readHistory().size(), "one record per epoch");

        try (MlflowServer server = MlflowTestServer.start(exe, dir.resolve("mlruns"), MlflowServer.freePort())) {
            MlflowRest rest = new MlflowRest(server.trackingUri());
            String experimentId = rest.experimentByName("stop-it").get("experiment_id").asText();
            List<JsonNode> parents = new ArrayList<>();
            List<JsonNode> children2 = new ArrayList<>();
            for (JsonNode r : rest.searchRuns(experimentId).path("runs")) {
                Map<String, String> tags = MlflowRest.keyValues(r.at("/data/tags"));
                ("sweep".equals(tags.get("cddpm.kind")) ? parents : children2).add(r);
            }
            assertEquals(1, parents.size(), "the second run continued the interrupted sweep");
            assertEquals(1, children2.size());
            assertEquals("FINISHED", children2.get(0).at("/info/status").asText());
            List<JsonNode> loss = rest.history(children2.get(0).at("/info/run_id").asText(), "loss");
            Set<Long> steps = new HashSet<>();
            loss.forEach(p -> steps.add(p.get("step").asLong()));
            assertEquals(EPOCHS * STEPS_PER_EPOCH, loss.size(), "every step once: " + steps);
            assertEquals(EPOCHS * STEPS_PER_EPOCH, steps.size());
        }
    }

    /** {@code cddpm serve} with a sweep training: SIGTERM stops the training at a step, then serve, exit 0. */
    @Test
    void sigtermStopsServeWithASweepRunningCleanly(@TempDir Path dir) throws Exception {
        Path exe = MlflowTestServer.executableOrSkip();
        try (MlflowServer server = MlflowTestServer.start(exe, dir.resolve("mlflow"), MlflowServer.freePort())) {
            Path yaml = dir.resolve("served.yaml");
            Files.writeString(yaml, """
                    name: served
                    output_dir: %s
                    resolution: 16
                    dataset: { render: { count: 96, seed: 0 }, test_files: [test] }
                    model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                    training: { epochs: 30, batch_size: 16, checkpoint_every: 10, evaluate_every: 30 }
                    evaluation: { evaluator: train, evaluator_epochs: 1 }
                    tracking: { uri: "%s" }
                    schedule: { sweep_cron: "0/2 * * * * ?" }
                    """.formatted(dir.resolve("runs"), server.trackingUri()));
            Path addLog = dir.resolve("add.log");
            assertEquals(0, cddpm(dir, exe, addLog, "schedule", "add", yaml.toString()).waitFor(), Files.readString(addLog));
            Path log = dir.resolve("serve.log");
            Process serve = cddpm(dir, exe, log, "serve");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (!Files.readString(log).contains("epoch 1/30")) {
                assertTrue(serve.isAlive(), "serve ended:\n" + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "no epoch within 10 minutes:\n" + Files.readString(log));
                Thread.sleep(100);
            }
            List<ListeningSockets.Listener> listening = ListeningSockets.of(serve.toHandle());
            assertTrue(listening.isEmpty(), "serve listens on " + listening);
            long t0 = System.nanoTime();
            serve.toHandle().destroy(); // SIGTERM
            boolean exited = serve.waitFor(15, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String out = Files.readString(log);
            if (!exited) {
                serve.destroyForcibly();
            }
            System.out.printf("serve: SIGTERM -> exit in %.2f s%n", seconds);
            assertTrue(exited, "serve did not stop within 15 s of SIGTERM:\n" + out);
            assertEquals(0, serve.exitValue(), out);
            assertFalse(out.contains("already closed"), out);
            assertFalse(out.contains("they are lost") || out.contains("it is lost"), out);
            assertTrue(out.contains("interrupted") && out.strip().endsWith("stopped"), out);
            assertTrue(Files.isRegularFile(RunFolder.of(dir.resolve("runs/served/default")).interruptedCheckpoint()), out);
        }
    }

    private static Process cddpm(Path workDir, Path mlflow, Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dcddpm.state=" + workDir.resolve("state"), "-jar",
                Path.of("target/cddpm.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("MLFLOW_TRACKING_URI"); // the run starts its own local server
        pb.environment().put(MlflowServer.BIN_ENV, mlflow.toString());
        return pb.start();
    }
}
