package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The new record kinds delivered twice (as when MLflow took a request but its answer was lost, so the
 * outbox sends the record again) leave what one delivery leaves: one image pair per logged image, one
 * input per dataset, one model version per run; and the champion alias follows the best mean accuracy.
 */
class MlflowNativeRecordsIT {
    @TempDir
    Path tmp;

    @Test
    void everyNewRecordKindIsIdempotentOnRedelivery() throws Exception {
        Path exe = MlflowTestServer.executableOrSkip();
        Path png = tmp.resolve("grid.png");
        ImageIO.write(new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        Path weights = Files.writeString(tmp.resolve("ema.safetensors"), "weights");
        try (MlflowServer server = MlflowTestServer.start(exe, tmp.resolve("mlflow"), MlflowServer.freePort())) {
            JdbcConnectionPool db = JdbcConnectionPool.create("jdbc:h2:" + tmp.resolve("state/cddpm").toAbsolutePath(), "", "");
            OutboxStore store = new OutboxStore(db, server.trackingUri());
            RunHandle a;
            RunHandle b;
            try (MlflowTracker tracker = new MlflowTracker(server.trackingUri(), db, Duration.ofSeconds(1), Duration.ofSeconds(60))) {
                a = tracker.startRun("records-it", "a", Map.of());
                b = tracker.startRun("records-it", "b", Map.of());
                for (RunHandle run : List.of(a, b)) {
                    String mean = run == a ? "0.5" : "0.25";
                    List<Object[]> records = List.of(
                            new Object[] {RecordKind.LOG_IMAGE, new Payloads.Image(png.toString(), "grid_test", 3, 1733150000000L, "u-" + run.runName())},
                            new Object[] {RecordKind.LOG_INPUTS, new Payloads.Inputs(List.of(
                                    new DatasetInput("train", "abc", "local", "{\"uri\":\"file:///x\"}", null, "{\"n\":1}", DatasetInput.TRAINING),
                                    new DatasetInput("test", "def", "local", "{}", null, null, DatasetInput.EVALUATION)))},
                            new Object[] {RecordKind.LOG_MODEL, new Payloads.Model("model", "cddpm", Map.of("ema.safetensors", weights.toString()),
                                    Map.of("weights", "ema.safetensors"), Map.of("mean_accuracy", mean), "uuid-" + run.runName(), "2026-12-02 14:00:00.000000")},
                            new Object[] {RecordKind.REGISTER_MODEL, new Payloads.Register("records-it", "model", Map.of("mean_accuracy", mean))},
                            new Object[] {RecordKind.SET_CHAMPION, new Payloads.Champion("records-it", "champion", "mean_accuracy")});
                    for (Object[] r : records) {
                        for (int copy = 0; copy < 2; copy++) {
                            store.append(run.key(), (RecordKind) r[0], Payloads.write(r[1]));
                        }
                    }
                }
                assertTrue(tracker.flush(Duration.ofSeconds(60)), "delivered");
                assertEquals(0, tracker.failedCount());
                MlflowRest rest = new MlflowRest(server.trackingUri());
                for (RunHandle run : List.of(a, b)) {
                    String runId = tracker.mlflowRunId(run).orElseThrow();
                    List<String> images = rest.artifactFiles(runId, "images");
                    assertEquals(2, images.size(), images.toString());
                    assertTrue(images.contains("images/grid_test+step+3+timestamp+1733150000000+u-" + run.runName() + "+compressed.png"), images.toString());
                    JsonNode inputs = rest.run(runId).at("/inputs/dataset_inputs");
                    assertEquals(2, inputs.size(), inputs.toString());
                    assertEquals(List.of("model/MLmodel", "model/code/cddpm_pyfunc.py", "model/ema.safetensors"),
                            rest.artifactFiles(runId, "model").stream().sorted().toList());
                    JsonNode history = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                            MlflowRest.keyValues(rest.run(runId).at("/data/tags")).get("mlflow.log-model.history"));
                    assertEquals(1, history.size(), "redelivery sets the tag again, it does not add a second model");
                    assertEquals("model", history.get(0).get("artifact_path").asText());
                    assertTrue(history.get(0).at("/flavors/cddpm").isObject(), history.toString());
                }
                String q = URLEncoder.encode("name = 'records-it'", StandardCharsets.UTF_8);
                JsonNode versions = rest.get("/api/2.0/mlflow/model-versions/search?filter=" + q).get("model_versions");
                assertEquals(2, versions.size(), "one version per run: " + versions);
                JsonNode champion = rest.get("/api/2.0/mlflow/registered-models/alias?name=records-it&alias=champion").get("model_version");
                assertEquals(tracker.mlflowRunId(a).orElseThrow(), champion.get("run_id").asText(), "the better mean accuracy");

                // a re-evaluation scores b higher: its version tag changes and the alias follows
                tracker.tagModelVersion(b, "records-it", Map.of("mean_accuracy", "0.75"));
                tracker.setBestAlias(b, "records-it", "champion", "mean_accuracy");
                assertTrue(tracker.flush(Duration.ofSeconds(60)));
                champion = rest.get("/api/2.0/mlflow/registered-models/alias?name=records-it&alias=champion").get("model_version");
                assertEquals(tracker.mlflowRunId(b).orElseThrow(), champion.get("run_id").asText());
            }
        }
    }
}
