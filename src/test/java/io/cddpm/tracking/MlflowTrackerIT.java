package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real MLflow server (sqlite backend, served artifacts) started on 127.0.0.1; every
 * check goes through MLflow's REST API with plain HTTP GETs.
 */
class MlflowTrackerIT {
    @TempDir
    Path tmp;

    private JdbcConnectionPool h2() {
        return JdbcConnectionPool.create("jdbc:h2:" + tmp.resolve("state/cddpm").toAbsolutePath(), "", "");
    }

    /** Every file under dir, as a pipeline logs a folder: keeping its relative path under artifactDir. */
    private static void logFolder(Tracker tracker, RunHandle run, Path dir, String artifactDir) throws Exception {
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                Path parent = dir.relativize(f).getParent();
                tracker.logArtifact(run, f, parent == null ? artifactDir : artifactDir + "/" + parent.toString().replace('\\', '/'));
            }
        }
    }

    private Path artifactDir() throws Exception {
        Path dir = tmp.resolve("run/samples");
        Files.createDirectories(dir.resolve("test"));
        Files.writeString(dir.resolve("test/000.png"), "png-bytes-0");
        Files.writeString(dir.resolve("test/001.png"), "png-bytes-1");
        Files.writeString(dir.resolve("index.txt"), "two samples");
        return dir;
    }

    @Test
    void sweepWithChildRunsParamsMetricsTagsStatusAndArtifacts() throws Exception {
        Path exe = MlflowTestServer.executableOrSkip();
        long t0 = System.nanoTime();
        try (MlflowServer server = MlflowTestServer.start(exe, tmp.resolve("mlflow"), MlflowServer.freePort())) {
            Path config = Files.writeString(tmp.resolve("config.yaml"), "name: it\n");
            Path samples = artifactDir();
            RunHandle parent;
            List<RunHandle> trials = new ArrayList<>();
            try (MlflowTracker tracker = new MlflowTracker(server.trackingUri(), h2())) {
                parent = tracker.startRun("it-sweep", "sweep", Map.of("cddpm.config_hash", "abc"));
                tracker.logParams(parent, Map.of("sweep.diffusion.beta_schedule", "[\"linear\",\"squaredcos_cap_v2\"]"));
                for (String schedule : List.of("linear", "squaredcos_cap_v2")) {
                    RunHandle t = tracker.startChildRun(parent, "beta_schedule=" + schedule,
                            Map.of("cddpm.git_commit", "deadbeef", "cddpm.device", "cpu"));
                    trials.add(t);
                    Map<String, String> params = new LinkedHashMap<>();
                    params.put("diffusion.beta_schedule", schedule);
                    params.put("training.lr", "1.0E-4");
                    tracker.logParams(t, params);
                    for (int step = 0; step < 50; step++) {
                        tracker.logMetrics(t, Map.of("loss", 1.0 / (step + 1), "lr", 1e-4), step);
                    }
                    tracker.logMetrics(t, Map.of("epoch_loss", 0.3, "images_per_s", 12.5), 1);
                    tracker.logParams(t, params); // a resumed trial logs its params again: accepted, no error
                    tracker.logMetrics(t, Map.of("accuracy_test", 0.75), 1);
                    tracker.logArtifact(t, config, null);
                    logFolder(tracker, t, samples, "samples");
                }
                tracker.finishRun(trials.get(0));
                tracker.failRun(trials.get(1), "java.lang.IllegalStateException: loss is NaN");
                tracker.shareView(parent, "cddpm", Map.of("searchFilter", "", "selectedColumns", List.of("metrics.`accuracy_test`")));
                tracker.finishRun(parent);
                assertTrue(tracker.flush(Duration.ofSeconds(60)), "everything delivered");
                assertEquals(0, tracker.failedCount());
                String link = tracker.viewLink("it-sweep", "cddpm").orElseThrow();
                assertTrue(link.startsWith(server.trackingUri() + "/#/experiments/") && link.endsWith("?viewStateShareKey=cddpm&compareRunsMode=CHART"),
                        link);
                assertEquals(server.trackingUri() + "/#/experiments/" + new MlflowRest(server.trackingUri()).experimentByName("it-sweep")
                        .get("experiment_id").asText(), tracker.viewLink("it-sweep", "nosuchview").orElseThrow(), "no such view: the page");
            }
            try (MlflowTracker reopened = new MlflowTracker(server.trackingUri(), h2())) {
                MlflowRest rest = new MlflowRest(server.trackingUri());
                String experimentId = rest.experimentByName("it-sweep").get("experiment_id").asText();
                String parentId = reopened.mlflowRunId(parent).orElseThrow();
                assertEquals("FINISHED", rest.run(parentId).at("/info/status").asText());
                assertEquals("sweep", MlflowRest.keyValues(rest.run(parentId).at("/data/tags")).get("mlflow.runName"));
                String view = MlflowRest.keyValues(rest.experimentByName("it-sweep").at("/tags")).get("mlflow.sharedViewState.cddpm");
                assertTrue(view.contains("\"runsExpanded\":{\"" + parentId + "\":true}") && view.contains("accuracy_test"), view);

                for (int i = 0; i < trials.size(); i++) {
                    RunHandle t = reopened.resumeRun(trials.get(i).key()).orElseThrow();
                    String runId = reopened.mlflowRunId(t).orElseThrow();
                    JsonNode run = rest.run(runId);
                    assertEquals(experimentId, run.at("/info/experiment_id").asText());
                    assertEquals(i == 0 ? "FINISHED" : "FAILED", run.at("/info/status").asText());
                    Map<String, String> tags = MlflowRest.keyValues(run.at("/data/tags"));
                    assertEquals(parentId, tags.get("mlflow.parentRunId"));
                    assertEquals(t.runName(), tags.get("mlflow.runName"));
                    assertEquals("deadbeef", tags.get("cddpm.git_commit"));
                    if (i == 1) {
                        assertTrue(tags.get("cddpm.error").contains("loss is NaN"));
                        assertTrue(tags.get("mlflow.note.content").contains("loss is NaN"));
                    }
                    Map<String, String> params = MlflowRest.keyValues(run.at("/data/params"));
                    assertEquals(i == 0 ? "linear" : "squaredcos_cap_v2", params.get("diffusion.beta_schedule"));
                    List<JsonNode> loss = rest.history(runId, "loss");
                    assertEquals(50, loss.size());
                    assertEquals(50, new TreeSet<>(loss.stream().map(m -> m.get("step").asLong()).toList()).size());
                    assertEquals(0.75, rest.history(runId, "accuracy_test").get(0).get("value").asDouble());
                    assertEquals(1, rest.history(runId, "images_per_s").size());
                    assertEquals(List.of("config.yaml", "samples/index.txt", "samples/test/000.png",
                            "samples/test/001.png"), rest.artifactFiles(runId, "").stream().sorted().toList());
                    assertArrayEquals("png-bytes-1".getBytes(StandardCharsets.UTF_8),
                            rest.artifact(experimentId, runId, "samples/test/001.png"));
                }
            }
        }
        System.out.printf("MlflowTrackerIT sweep test: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void serverStoppedMidRunThenRestartedLosesAndDuplicatesNothing() throws Exception {
        Path exe = MlflowTestServer.executableOrSkip();
        long t0 = System.nanoTime();
        int port = MlflowServer.freePort();
        Path data = tmp.resolve("mlflow");
        MlflowServer server = MlflowTestServer.start(exe, data, port);
        Path samples = artifactDir();
        try (MlflowTracker tracker = new MlflowTracker(server.trackingUri(), h2(), Duration.ofSeconds(1), Duration.ofSeconds(60))) {
            RunHandle run = tracker.startRun("it-fault", "trial", Map.of());
            tracker.logParams(run, Map.of("diffusion.prediction_type", "epsilon"));
            for (int step = 0; step < 20; step++) {
                tracker.logMetrics(run, Map.of("loss", 1.0 / (step + 1)), step);
            }
            assertTrue(tracker.flush(Duration.ofSeconds(30)));
            String runId = tracker.mlflowRunId(run).orElseThrow();

            server.stop();
            // training goes on: nothing thrown, everything waits in the outbox
            for (int step = 20; step < 60; step++) {
                tracker.logMetrics(run, Map.of("loss", 1.0 / (step + 1)), step);
                if (step % 10 == 0) {
                    Thread.sleep(300);
                }
            }
            tracker.logMetrics(run, Map.of("epoch_loss", 0.2, "images_per_s", 30.0), 1);
            logFolder(tracker, run, samples, "samples");
            RunHandle offline = tracker.startRun("it-fault", "created-offline", Map.of());
            tracker.logMetrics(offline, Map.of("loss", 0.5), 0);
            tracker.finishRun(offline);
            tracker.finishRun(run);
            // 40 loss points, the epoch's batch, 3 files, the offline run's creation, loss and end, and this run's end
            assertEquals(48, tracker.pendingCount(), "every record waits in the outbox while MLflow is down");
            assertTrue(tracker.mlflowRunId(offline).isEmpty(), "run id deferred while offline");

            server = MlflowTestServer.start(exe, data, port);
            assertTrue(tracker.flush(Duration.ofSeconds(60)), "delivered after the restart");
            assertEquals(0, tracker.failedCount());

            MlflowRest rest = new MlflowRest(server.trackingUri());
            List<JsonNode> loss = rest.history(runId, "loss");
            List<Long> steps = loss.stream().map(m -> m.get("step").asLong()).sorted().toList();
            List<Long> expected = new ArrayList<>();
            for (long s = 0; s < 60; s++) {
                expected.add(s);
            }
            assertEquals(expected, steps, "each metric point exactly once");
            assertEquals("FINISHED", rest.run(runId).at("/info/status").asText());
            assertEquals(List.of("samples/index.txt", "samples/test/000.png", "samples/test/001.png"),
                    rest.artifactFiles(runId, "").stream().sorted().toList());
            String offlineId = tracker.mlflowRunId(offline).orElseThrow();
            assertEquals(1, rest.history(offlineId, "loss").size());
            assertEquals("FINISHED", rest.run(offlineId).at("/info/status").asText());
        } finally {
            server.stop();
        }
        System.out.printf("MlflowTrackerIT fault test: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
