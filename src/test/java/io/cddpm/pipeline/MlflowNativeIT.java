package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.state.TrialStatus;
import io.cddpm.tracking.MlflowRest;
import io.cddpm.tracking.MlflowServer;
import io.cddpm.tracking.MlflowTestServer;
import io.cddpm.tracking.RunTags;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the MLflow UI shows natively, from a tiny two-trial sweep (each scored under two guidance weights) on a real server: stepped images in
 * the layout the UI parses (grids of both test files and the progressive strip at every evaluation),
 * dataset inputs, system metrics, run descriptions, a registered model with one version per trial, its
 * accuracy tags and the champion alias, and {@code cddpm sample} drawing from models:/NAME@champion.
 */
class MlflowNativeIT {
    private static final String NAME = "native-it";

    @Test
    void sweepShowsUpAsNativeMlflowObjects(@TempDir Path dir) throws Exception {
        System.setProperty("cddpm.state", dir.resolve("state").toString());
        Path yaml = dir.resolve("sweep.yaml");
        Files.writeString(yaml, """
                name: %s
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 48, seed: 0 }, test_files: [test, new_test] }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: 2, batch_size: 16, checkpoint_every: 1, evaluate_every: 1 }
                sampling: { sampler: ddim, steps: 5, guidance: 2.0 }
                evaluation: { evaluator: train, evaluator_epochs: 2 }
                tracking: { system_metrics_interval: 1 }
                sweep:
                  training.seed: [0, 1]
                  sampling.guidance: [1.0, 3.0]
                """.formatted(NAME, dir.resolve("runs")));
        Path exe = MlflowTestServer.executableOrSkip();
        try (MlflowServer server = MlflowTestServer.start(exe, dir.resolve("mlflow"), MlflowServer.freePort())) {
            ExperimentConfig config = ConfigLoader.load(yaml, List.of("tracking.uri=" + server.trackingUri()));
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            List<TrialRun> runs = new PipelineRunner(new PrintStream(console, true)).run(config);
            for (TrialRun r : runs) {
                assertEquals(TrialStatus.FINISHED, r.status(), console.toString());
                assertTrue(Files.isRegularFile(r.folder().grid(1, "test")), "the checkpoint evaluation keeps its grids");
                assertTrue(Files.isRegularFile(r.folder().progressive(1)));
            }
            MlflowRest rest = new MlflowRest(server.trackingUri());
            String experimentId = rest.experimentByName(NAME).get("experiment_id").asText();
            Map<String, JsonNode> byName = new HashMap<>();
            for (JsonNode run : rest.searchRuns(experimentId).path("runs")) {
                byName.put(MlflowRest.keyValues(run.at("/data/tags")).get("mlflow.runName"), run);
            }
            JsonNode parent = byName.get(NAME);
            String parentNote = MlflowRest.keyValues(parent.at("/data/tags")).get("mlflow.note.content");
            assertEquals(RunTags.PARENT_COLOR, MlflowRest.keyValues(parent.at("/data/tags")).get(RunTags.COLOR));
            for (TrialRun r : runs) {
                JsonNode run = byName.get(r.trial().runName());
                String runId = run.at("/info/run_id").asText();
                checkImages(rest, runId);
                checkInputs(rest, runId, r);
                checkSystemMetrics(rest, runId);
                // trained once, scored under both sampling settings at the last epoch, side by side in the trial's run
                assertEquals(List.of(1L, 2L), steps(rest.history(runId, "accuracy_test/ddim5_w1_eta0")), "the trial's own setting: every evaluation");
                assertEquals(List.of(2L), steps(rest.history(runId, "accuracy_test/ddim5_w3_eta0")), "the other setting: the final checkpoint");
                assertEquals(2, rest.history(runId, "accuracy_test").size());
                Map<String, String> tags = MlflowRest.keyValues(run.at("/data/tags"));
                assertEquals(RunTags.trialColor(r.index()), tags.get(RunTags.COLOR), "each trial its own colour in the UI");
                String note = tags.get("mlflow.note.content");
                assertTrue(note.contains("**Accuracy**") && note.contains("images/s") && note.contains("cddpm run "), note);
                assertTrue(parentNote.contains("| " + r.trial().label() + " |"), parentNote);
                List<String> model = rest.artifactFiles(runId, "model");
                assertTrue(model.containsAll(List.of("model/MLmodel", "model/ema.safetensors", "model/checkpoint.ckpt", "model/config.yaml")),
                        model.toString());
                String mlmodel = new String(rest.artifact(experimentId, runId, "model/MLmodel"), StandardCharsets.UTF_8);
                assertTrue(mlmodel.contains("cddpm:") && mlmodel.contains("run_id: " + runId), mlmodel);
            }
            String champion = checkRegistry(rest, byName);
            sampleFromChampion(dir, server.trackingUri(), champion);
            predictWithPyfunc(dir, server.trackingUri(), exe);
        }
    }

    /** The files under images/ parsed as the UI (2.17 to 2.22) does: key+step+N+timestamp+T+uuid[+compressed].png|webp ('%' or '+'). */
    private static void checkImages(MlflowRest rest, String runId) throws Exception {
        Map<String, Set<Long>> full = new TreeMap<>();
        Map<String, Set<Long>> thumbs = new TreeMap<>();
        for (String path : rest.artifactFiles(runId, "images")) {
            String file = path.substring("images/".length());
            String ext = file.substring(file.lastIndexOf('.') + 1);
            assertTrue(ext.equals("png") || ext.equals("webp"), path);
            String stem = file.substring(0, file.lastIndexOf('.'));
            String[] parts = stem.split(stem.contains("%") ? "%" : "\\+");
            assertEquals("step", parts[1], path);
            assertEquals("timestamp", parts[3], path);
            Long.parseLong(parts[4]);
            boolean compressed = parts.length == 7;
            assertTrue(parts.length == 6 || compressed && parts[6].equals("compressed"), path);
            (compressed ? thumbs : full).computeIfAbsent(parts[0], k -> new TreeSet<>()).add(Long.parseLong(parts[2]));
        }
        Map<String, Set<Long>> expected = Map.of("grid_test", Set.of(1L, 2L), "grid_new_test", Set.of(1L, 2L), "progressive", Set.of(1L, 2L));
        assertEquals(new TreeMap<>(expected), full, "an image per key at the checkpoint evaluation (epoch 1) and the final one (2)");
        assertEquals(full, thumbs);
        assertEquals("True", MlflowRest.keyValues(rest.run(runId).at("/data/tags")).get("mlflow.loggedImages"));
    }

    private static void checkInputs(MlflowRest rest, String runId, TrialRun r) throws Exception {
        Map<String, List<String>> byContext = new HashMap<>();
        for (JsonNode in : rest.run(runId).at("/inputs/dataset_inputs")) {
            String context = MlflowRest.keyValues(in.get("tags")).get("mlflow.data.context");
            byContext.computeIfAbsent(context, k -> new ArrayList<>()).add(in.at("/dataset/name").asText() + "@" + in.at("/dataset/digest").asText());
            if ("training".equals(context)) {
                assertEquals(r.dataset().digest().substring(0, 32), in.at("/dataset/digest").asText());
                assertTrue(in.at("/dataset/source").asText().contains("\"seed\":0"), in.toString());
                assertTrue(in.at("/dataset/profile").asText().contains("\"num_images\":48"), in.toString());
            }
        }
        assertEquals(1, byContext.get("training").size(), byContext.toString());
        assertEquals(2, byContext.get("evaluation").size(), byContext.toString());
    }

    private static void checkSystemMetrics(MlflowRest rest, String runId) throws Exception {
        for (String key : List.of("system/cpu_utilization_percentage", "system/system_memory_usage_megabytes",
                "system/system_memory_usage_percentage", "system/process_memory_rss_megabytes")) {
            Set<Long> stamps = new TreeSet<>();
            rest.history(runId, key).forEach(p -> stamps.add(p.get("timestamp").asLong()));
            assertTrue(stamps.size() >= 2, key + " has " + stamps.size() + " timestamps");
        }
    }

    private static List<Long> steps(List<JsonNode> history) {
        return history.stream().map(m -> m.get("step").asLong()).sorted().toList();
    }

    /**
     * Two versions, one per trial, with the accuracy tags of the trial's best sampling setting and its name;
     * champion = the best mean accuracy. Returns the champion's version.
     */
    private static String checkRegistry(MlflowRest rest, Map<String, JsonNode> runs) throws Exception {
        String q = URLEncoder.encode("name = '" + NAME + "'", StandardCharsets.UTF_8);
        JsonNode versions = rest.get("/api/2.0/mlflow/model-versions/search?filter=" + q).get("model_versions");
        assertEquals(2, versions.size(), versions.toString());
        String best = null;
        double bestMean = -1;
        Set<String> runIds = new TreeSet<>();
        for (JsonNode v : versions) {
            Map<String, String> tags = MlflowRest.keyValues(v.get("tags"));
            assertTrue(tags.containsKey("accuracy_test") && tags.containsKey("accuracy_new_test"), tags.toString());
            assertTrue(Set.of("ddim5_w1_eta0", "ddim5_w3_eta0").contains(tags.get("sampling")), tags.toString());
            double mean = Double.parseDouble(tags.get("mean_accuracy"));
            if (mean > bestMean || mean == bestMean && Integer.parseInt(v.get("version").asText()) > Integer.parseInt(best)) {
                bestMean = mean;
                best = v.get("version").asText();
            }
            runIds.add(v.get("run_id").asText());
        }
        assertEquals(2, runIds.size(), "one version per trial run");
        JsonNode alias = rest.get("/api/2.0/mlflow/registered-models/alias?name=" + NAME + "&alias=champion").get("model_version");
        assertEquals(best, alias.get("version").asText());
        return best;
    }

    /**
     * The loading snippet the MLflow UI shows for the model (python_function flavor), run as a user runs it: MLflow's
     * Python client loads models:/NAME@champion and predict() draws one image per row through cddpm (CDDPM_HOME).
     */
    private static void predictWithPyfunc(Path dir, String trackingUri, Path mlflowExe) throws Exception {
        Path python = mlflowExe.resolveSibling("python");
        Path script = dir.resolve("pyfunc.py");
        Files.writeString(script, """
                import mlflow, pandas as pd
                model = mlflow.pyfunc.load_model("models:/%s@champion")
                images = model.predict(pd.DataFrame({"labels": [["red cube"], ["blue sphere", "gray cylinder"]]}), params={"steps": 3})
                print("shape", images.shape, images.dtype, float(images.min()) >= -1, float(images.max()) <= 1)
                """.formatted(NAME));
        ProcessBuilder pb = new ProcessBuilder(python.toString(), script.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("pyfunc.log").toFile());
        pb.environment().put("MLFLOW_TRACKING_URI", trackingUri);
        pb.environment().put("CDDPM_HOME", Path.of("").toAbsolutePath().toString());
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the pyfunc prediction did not end");
        String log = Files.readString(dir.resolve("pyfunc.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("shape (2, 3, 16, 16) float32 True True"), log);
    }

    /** cddpm sample --checkpoint models:/NAME@champion, as a user runs it (MLFLOW_TRACKING_URI, CDDPM_CACHE). */
    private static void sampleFromChampion(Path dir, String trackingUri, String version) throws Exception {
        Path out = dir.resolve("from-champion");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                "io.cddpm.cli.Main", "sample", "--checkpoint", "models:/" + NAME + "@champion", "--conditions", "test", "--out",
                out.toString(), "--steps", "5").redirectErrorStream(true).redirectOutput(dir.resolve("sample.log").toFile());
        pb.environment().put("MLFLOW_TRACKING_URI", trackingUri);
        pb.environment().put("CDDPM_CACHE", dir.resolve("cache").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "sample did not end");
        String log = Files.readString(dir.resolve("sample.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(Files.isRegularFile(out.resolve("grid.png")), log);
        assertTrue(Files.isRegularFile(dir.resolve("cache/models/" + NAME + "/" + version + "/checkpoint.ckpt")), log);
    }
}
