package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.state.TrialStatus;
import io.cddpm.tracking.MlflowRest;
import io.cddpm.tracking.MlflowServer;
import io.cddpm.tracking.MlflowTestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Camel routes end to end on tiny data: a two-trial sweep in which one trial cannot run (it asks
 * for a GPU this machine lacks) is marked failed with its error, and the other still produces every
 * artifact: checkpoints, samples for both test files, grids, progressive image, loss plot, report.
 */
class PipelineIT {
    @Test
    void aFailingTrialDoesNotStopTheSweep(@TempDir Path dir) throws Exception {
        System.setProperty("cddpm.state", dir.resolve("state").toString());
        Path yaml = dir.resolve("sweep.yaml");
        Files.writeString(yaml, """
                name: pipeline-it
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 48, seed: 0 }, test_files: [test, new_test] }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: 2, batch_size: 16, checkpoint_every: 1, evaluate_every: 1 }
                sampling: { sampler: ddim, steps: 10, guidance: 2.0 }
                evaluation: { evaluator: train, evaluator_epochs: 2 }
                sweep:
                  training.device: [gpu, cpu]
                """.formatted(dir.resolve("runs")));
        Path exe = MlflowTestServer.executableOrSkip();
        try (MlflowServer server = MlflowTestServer.start(exe, dir.resolve("mlflow"), MlflowServer.freePort())) {
            ExperimentConfig config = ConfigLoader.load(yaml, List.of("tracking.uri=" + server.trackingUri()));
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            List<TrialRun> runs = new PipelineRunner(new PrintStream(console, true)).run(config);
            checkRuns(runs, console.toString());
            checkMlflow(new MlflowRest(server.trackingUri()), runs);

            // the same sweep again: the finished trial is reused, not rerun; the failed one is tried again
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            List<TrialRun> second = new PipelineRunner(new PrintStream(again, true)).run(config);
            assertEquals(TrialRun.Start.REUSED, second.get(1).start(), again.toString());
            assertEquals(TrialStatus.FINISHED, second.get(1).status());
            assertEquals(TrialStatus.FAILED, second.get(0).status());
            assertTrue(again.toString().contains("reused"), again.toString());
            String experimentId = new MlflowRest(server.trackingUri()).experimentByName("pipeline-it").get("experiment_id").asText();
            long finishedChildren = 0;
            for (JsonNode r : new MlflowRest(server.trackingUri()).searchRuns(experimentId).path("runs")) {
                if ("cpu".equals(MlflowRest.keyValues(r.at("/data/tags")).get("mlflow.runName"))) {
                    finishedChildren++;
                }
            }
            assertEquals(1, finishedChildren, "the reused trial has still exactly one MLflow run");

            // the YAML's sampling changed: the finished trial is scored under it, in its own run, and nothing trains
            ByteArrayOutputStream rescore = new ByteArrayOutputStream();
            ExperimentConfig guided = ConfigLoader.load(yaml, List.of("tracking.uri=" + server.trackingUri(), "sampling.guidance=3.0"));
            List<TrialRun> third = new PipelineRunner(new PrintStream(rescore, true)).run(guided);
            assertEquals(TrialRun.Start.RESCORE, third.get(1).start(), rescore.toString());
            assertEquals(TrialStatus.FINISHED, third.get(1).status(), rescore.toString());
            assertTrue(rescore.toString().contains("under ddim10_w3_eta0: no training"), rescore.toString());
            assertTrue(rescore.toString().contains("scored in"), rescore.toString());
            assertTrue(!rescore.toString().contains("trial 2 of 2 (device=cpu): epoch 1/2"), "no training epoch: " + rescore);
            List<EvaluationRecord> rows = third.get(1).folder().readEvaluations();
            assertEquals(List.of("ddim10_w2_eta0", "ddim10_w2_eta0", "ddim10_w3_eta0"), rows.stream().map(EvaluationRecord::setting).toList());
            assertEquals(2, rows.get(2).epoch());
            assertTrue(Files.isRegularFile(third.get(1).folder().dir().resolve("pictures/epoch-0002/ddim10_w3_eta0/grid_test.png")));
            MlflowRest rest3 = new MlflowRest(server.trackingUri());
            assertEquals(1, rest3.history(cpuRunId(rest3), "accuracy_test/ddim10_w3_eta0").size());
            assertEquals(2, rest3.history(cpuRunId(rest3), "accuracy_test/ddim10_w2_eta0").size());
            assertEquals(2, rest3.history(cpuRunId(rest3), "accuracy_test").size(), "the trial's own sampling: as before");
            // and again: both settings are recorded, so the trial is reused
            List<TrialRun> fourth = new PipelineRunner(new PrintStream(new ByteArrayOutputStream(), true)).run(guided);
            assertEquals(TrialRun.Start.REUSED, fourth.get(1).start());

            // re-evaluation scores the finished trial again and logs to its own MLflow run
            ByteArrayOutputStream reeval = new ByteArrayOutputStream();
            List<Reevaluation.Outcome> outcomes = Reevaluation.run(config, new PrintStream(reeval, true));
            assertEquals("REEVALUATED", outcomes.get(1).status(), reeval.toString());
            assertEquals("FAILED", outcomes.get(0).status());
            List<EvaluationRecord> reevaluated = second.get(1).folder().readReevaluations();
            assertEquals(2, reevaluated.get(0).epoch(), "the latest checkpoint first: " + reevaluated);
            assertTrue(reevaluated.size() == 1 || reevaluated.get(1).epoch() == 1, "then the best, when it is another: " + reevaluated);
            MlflowRest rest = new MlflowRest(server.trackingUri());
            assertEquals(1, rest.history(cpuRunId(rest), "reeval/accuracy_test").size());
            assertEquals(1, rest.history(cpuRunId(rest), "reeval/best_accuracy_new_test").size());
        }
    }

    /**
     * An evaluator that cannot be loaded: every evaluation fails, and each failure is visible in
     * evaluations.json, on the console, as a tag of the trial's MLflow run, in `cddpm status` and in the
     * report; training goes on and the trial finishes with its weights.
     */
    @Test
    void aFailedEvaluationIsVisibleEverywhereAndTrainingGoesOn(@TempDir Path dir) throws Exception {
        System.setProperty("cddpm.state", dir.resolve("state").toString());
        Path broken = dir.resolve("broken.safetensors");
        Files.writeString(broken, "this is not a safetensors file");
        Path yaml = dir.resolve("failing.yaml");
        Files.writeString(yaml, """
                name: failing-eval
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 32, seed: 0 }, test_files: [test] }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: 2, batch_size: 16, checkpoint_every: 1, evaluate_every: 1 }
                sampling: { sampler: ddim, steps: 5, guidance: 2.0 }
                evaluation: { evaluator: %s }
                """.formatted(dir.resolve("runs"), broken));
        Path exe = MlflowTestServer.executableOrSkip();
        try (MlflowServer server = MlflowTestServer.start(exe, dir.resolve("mlflow"), MlflowServer.freePort())) {
            ExperimentConfig config = ConfigLoader.load(yaml, List.of("tracking.uri=" + server.trackingUri()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TrialRun run = new PipelineRunner(new PrintStream(out, true)).run(config).get(0);
            String console = out.toString();
            assertEquals(TrialStatus.FINISHED, run.status(), console);
            assertEquals(2, run.folder().listCheckpoints().size(), "training went on after the failed evaluation of epoch 1");
            // evaluations.json
            List<EvaluationRecord> rows = run.folder().readEvaluations();
            assertEquals(List.of(1, 2), rows.stream().map(EvaluationRecord::epoch).toList());
            assertTrue(rows.stream().allMatch(EvaluationRecord::failed), rows.toString());
            assertTrue(rows.get(0).error() != null && !rows.get(0).error().isBlank(), rows.toString());
            // the console
            assertTrue(console.contains("epoch 1 ddim5_w2_eta0: evaluation FAILED: ") && console.contains("; training goes on"), console);
            assertTrue(console.contains("2 evaluation(s) FAILED"), console);
            // MLflow: a tag per failed evaluation, and the run's description lists them
            MlflowRest rest = new MlflowRest(server.trackingUri());
            String experimentId = rest.experimentByName("failing-eval").get("experiment_id").asText();
            Map<String, String> tags = null;
            for (JsonNode r : rest.searchRuns(experimentId).path("runs")) {
                Map<String, String> t = MlflowRest.keyValues(r.at("/data/tags"));
                if ("default".equals(t.get("mlflow.runName"))) {
                    tags = t;
                }
            }
            assertTrue(tags != null && tags.containsKey("cddpm.failed.epoch_1.ddim5_w2_eta0"), String.valueOf(tags));
            assertTrue(tags.get("mlflow.note.content").contains("Failed evaluations"), tags.get("mlflow.note.content"));
            // cddpm status
            ByteArrayOutputStream status = new ByteArrayOutputStream();
            PrintStream stdout = System.out;
            System.setOut(new PrintStream(status, true));
            try {
                new picocli.CommandLine(new io.cddpm.cli.StatusCommand()).execute();
            } finally {
                System.setOut(stdout);
            }
            assertTrue(status.toString().contains("evaluation FAILED: epoch 1 ddim5_w2_eta0: "), status.toString());
            // the report
            String report = Files.readString(run.folder().report());
            assertTrue(report.contains("<b>FAILED</b>"), "report.html lists the failed evaluations");
        }
    }

    private static String cpuRunId(MlflowRest rest) throws Exception {
        String experimentId = rest.experimentByName("pipeline-it").get("experiment_id").asText();
        for (JsonNode r : rest.searchRuns(experimentId).path("runs")) {
            if ("cpu".equals(MlflowRest.keyValues(r.at("/data/tags")).get("mlflow.runName"))) {
                return r.at("/info/run_id").asText();
            }
        }
        throw new AssertionError("no device=cpu run");
    }

    private static void checkMlflow(MlflowRest rest, List<TrialRun> runs) throws Exception {
        String experimentId = rest.experimentByName("pipeline-it").get("experiment_id").asText();
        JsonNode search = rest.searchRuns(experimentId);
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode run : search.path("runs")) {
            byName.put(MlflowRest.keyValues(run.at("/data/tags")).get("mlflow.runName"), run);
        }
        assertEquals(3, byName.size(), "parent + 2 trials: " + byName.keySet());
        JsonNode parent = byName.get("pipeline-it");
        assertEquals("FAILED", parent.at("/info/status").asText());
        String parentId = parent.at("/info/run_id").asText();
        JsonNode failed = byName.get("gpu");
        assertEquals("FAILED", failed.at("/info/status").asText());
        assertTrue(MlflowRest.keyValues(failed.at("/data/tags")).get("cddpm.error").contains("GPU"));
        JsonNode ok = byName.get("cpu");
        assertEquals("FINISHED", ok.at("/info/status").asText());
        Map<String, String> tags = MlflowRest.keyValues(ok.at("/data/tags"));
        assertEquals(parentId, tags.get("mlflow.parentRunId"));
        assertTrue(tags.containsKey("cddpm.config_hash") && tags.containsKey("cddpm.host"), tags.toString());
        Map<String, String> params = MlflowRest.keyValues(ok.at("/data/params"));
        assertEquals("linear", params.get("diffusion.beta_schedule"));
        assertEquals("cpu", params.get("training.device"));
        String runId = ok.at("/info/run_id").asText();
        assertEquals(6, rest.history(runId, "loss").size(), "3 steps per epoch x 2 epochs");
        assertEquals(2, rest.history(runId, "epoch_loss").size());
        assertEquals(2, rest.history(runId, "accuracy_test").size(), "the checkpoint of epoch 1 and the final evaluation");
        assertEquals(2, rest.history(runId, "accuracy_new_test").size());
        assertEquals(1, rest.history(runId, "evaluator_heldout_accuracy").size());
        List<String> files = rest.artifactFiles(runId, "");
        for (String f : List.of("report.html", "progressive.png", "loss.png", "accuracy.png", "evaluations.json", "config.yaml",
                "ema.safetensors", "grids/grid_test.png", "grids/grid_new_test.png")) {
            assertTrue(files.contains(f), "artifact " + f + " missing from " + files);
        }
    }

    private static void checkRuns(List<TrialRun> runs, String console) {
        assertEquals(2, runs.size());
        assertEquals(TrialStatus.FAILED, runs.get(0).status(), console);
        assertTrue(runs.get(0).error().contains("GPU"), runs.get(0).error());
        TrialRun ok = runs.get(1);
        assertEquals(TrialStatus.FINISHED, ok.status(), console);
        assertEquals(2, ok.folder().listCheckpoints().size());
        Path run = ok.folder().dir();
        for (String file : List.of("config.yaml", "history.json", "checkpoints/epoch-0002.ckpt", "samples/test/images.npz",
                "samples/new_test/031.png", "grid_test.png", "grid_new_test.png", "progressive.png", "loss.png", "accuracy.png",
                "evaluations.json", "report.html")) {
            assertTrue(Files.isRegularFile(run.resolve(file)), "missing " + file + "\n" + console);
        }
        List<EvaluationRecord> evaluations = ok.folder().readEvaluations();
        assertEquals(List.of(1, 2), evaluations.stream().map(EvaluationRecord::epoch).toList());
        for (EvaluationRecord e : evaluations) {
            assertEquals(Set.of("test", "new_test"), e.accuracy().keySet());
            e.accuracy().values().forEach(a -> assertTrue(a >= 0 && a <= 1, "accuracy " + a));
        }
        assertTrue(console.contains("epoch 1 ddim10_w2_eta0: accuracy test"), console);
        assertTrue(console.contains("trial 2 of 2"), console);
    }
}
