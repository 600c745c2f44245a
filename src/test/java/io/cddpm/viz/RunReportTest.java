package io.cddpm.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.cli.ExitCodes;
import io.cddpm.cli.Main;
import io.cddpm.config.ConfigLoader;
import io.cddpm.core.InvalidInputException;
import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.runs.RunFolder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
    @TempDir
    Path dir;

    static List<EpochRecord> history(int epochs) {
        List<EpochRecord> h = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            h.add(new EpochRecord(e, 0.05 + 0.9 / e, 1e-4, 40.0 + e, 30.0, (long) e * 10, 900L));
        }
        return h;
    }

    static List<EvaluationRecord> evaluations() {
        return List.of(
                EvaluationRecord.of(5, "checkpoints/epoch-0005.ckpt", new io.cddpm.config.SamplingConfig(io.cddpm.diffusion.DdimScheduler.KIND, 50, 0.0, 1.0, 0.0, 0, true), "evaluator#0", Map.of("test", 0.41, "new_test", 0.38), "t1"),
                EvaluationRecord.of(10, "checkpoints/epoch-0010.ckpt", new io.cddpm.config.SamplingConfig(io.cddpm.diffusion.DdimScheduler.KIND, 50, 0.0, 1.0, 0.0, 0, true), "evaluator#0", Map.of("test", 0.72, "new_test", 0.75), "t2"),
                EvaluationRecord.of(15, "checkpoints/epoch-0015.ckpt", new io.cddpm.config.SamplingConfig(io.cddpm.diffusion.DdimScheduler.KIND, 50, 0.0, 1.0, 0.0, 0, true), "evaluator#0", Map.of("test", 0.70, "new_test", 0.79), "t3"));
    }

    @Test
    void figuresFromHistoryAndEvaluations() {
        RunFigures f = RunFigures.of(history(15), evaluations());
        assertEquals(15, f.lastEpoch());
        assertEquals(450.0, f.trainSeconds(), 1e-9);
        assertEquals(48.0, f.imagesPerSecond(), 1e-9); // mean of 41..55
        assertEquals(0.70, f.finalAccuracy().get("test"));
        assertEquals(0.72, f.bestAccuracy().get("test"));
        assertEquals(10, f.bestEpoch().get("test"));
        assertEquals(0.79, f.bestAccuracy().get("new_test"));
        assertEquals(15, f.bestEpoch().get("new_test"));
        assertEquals(List.of("test", "new_test"), List.copyOf(f.finalAccuracy().keySet()));
    }

    @Test
    void plotsAreWrittenAndNonEmpty() throws IOException {
        Path loss = dir.resolve("loss.png");
        Path acc = dir.resolve("accuracy.png");
        TrainingPlots.writeLoss(history(15), loss);
        TrainingPlots.writeAccuracy(evaluations(), 0.95, acc);
        for (Path p : List.of(loss, acc)) {
            assertTrue(Files.size(p) > 10_000, p + " has " + Files.size(p) + " bytes");
            BufferedImage img = Images.read(p);
            assertEquals(2 * ChartStyle.WIDTH, img.getWidth());
            assertEquals(2 * ChartStyle.HEIGHT, img.getHeight());
        }
        assertEquals(2, TrainingPlots.accuracyChart(evaluations(), Double.NaN).getSeriesMap().size());
        assertEquals(3, TrainingPlots.accuracyChart(evaluations(), 0.95).getSeriesMap().size(), "and the ceiling");
    }

    @Test
    void fullRunReportContainsFiguresImagesAndConfig() throws IOException {
        Path run = dir.resolve("runs/ablation/beta_schedule=linear,prediction_type=epsilon");
        Files.createDirectories(run.resolve("checkpoints"));
        Files.writeString(run.resolve("config.yaml"), ConfigLoader.toYaml(ConfigLoader.fromYaml("name: ablation\ntraining: {epochs: 15}\n", "t")));
        RunFolder.of(run).writeHistory(history(15));
        evaluations().forEach(RunFolder.of(run)::recordEvaluation);
        for (int i = 0; i < 32; i++) {
            Images.writePng(ImageGridTest.solid(16, 16, i * 7 << 8), run.resolve(String.format("samples/test/%03d.png", i)));
        }
        // the folder's own grid.png (as the pipeline and `cddpm sample` write it) is not one of the samples
        Images.writePng(ImageGridTest.solid(146, 74, 0), run.resolve("samples/test/grid.png"));
        Images.writePng(ImageGrid.of(ImageGridTest.numbered(32, 16, 16)), run.resolve("grid_new_test.png"));
        Images.writePng(ProgressiveStrip.of(ImageGridTest.numbered(10, 16, 16), ProgressiveStrip.labels(List.of(900, 800, 700, 600, 500, 400,
                300, 200, 100, 0)), List.of("red cube")), run.resolve("progressive.png"));

        assertEquals(ExitCodes.OK, Main.run("report", "--run", run.toString()));
        RunReport.Result r = RunReport.build(RunFolder.of(run));
        assertEquals(List.of(), r.missing());
        String html = Files.readString(r.html());
        assertTrue(Files.isRegularFile(run.resolve("grid_test.png")), "grid built from samples/test/*.png");
        assertEquals(8 * (96 + 4) + 4, Images.read(run.resolve("grid_test.png")).getWidth(), "labelled, 16-pixel samples at 96");
        assertTrue(Files.size(run.resolve("loss.png")) > 0);
        assertTrue(Files.size(run.resolve("accuracy.png")) > 0);
        for (String s : List.of("Final accuracy, test", "0.7000", "Best accuracy, test", "0.7200 (epoch 10)", "0.7900 (epoch 15)",
                "0:07:30", "48.0", "Experiment <b>ablation</b>", "<code>diffusion.beta_schedule</code>", "<code>training.epochs</code>",
                "grid_test.png", "grid_new_test.png", "progressive.png", "loss.png", "accuracy.png")) {
            assertTrue(html.contains(s), "report lacks " + s);
        }
        assertEquals(5, html.split("data:image/png;base64,", -1).length - 1, "2 grids + progressive + 2 plots + nothing else");
        assertFalse(html.contains("Missing from this run"));
    }

    @Test
    void everyAccuracyHasTheEvaluatorsHeldOutAccuracyBesideIt() throws IOException {
        Path run = dir.resolve("runs/quickstart/default");
        Files.createDirectories(run.resolve("checkpoints"));
        Files.writeString(run.resolve("config.yaml"), ConfigLoader.toYaml(ConfigLoader.fromYaml("name: quickstart\ntraining: {epochs: 15}\n", "t")));
        RunFolder.of(run).writeHistory(history(15));
        String evaluator = "evaluator-c44169630e4d0966.safetensors";
        evaluations().forEach(RunFolder.of(run)::recordEvaluation);
        Path recorded = RunFolder.of(run).evaluations();
        Files.writeString(recorded, Files.readString(recorded).replace("evaluator#0", evaluator + "#0123456789ab"));
        // where the pipeline caches a trained evaluator: <output_dir>/evaluators/, with its held-out accuracy in the metadata
        Files.createDirectories(dir.resolve("runs/evaluators"));
        Files.write(dir.resolve("runs/evaluators").resolve(evaluator),
                io.cddpm.model.Safetensors.toBytes(Map.of(), Map.of("heldout_accuracy", "0.495000")));

        String html = Files.readString(RunReport.build(RunFolder.of(run)).html());
        for (String s : List.of("0.7000 (ceiling 0.4950)", "0.7200 (epoch 10; ceiling 0.4950)",
                "Evaluator's held-out accuracy (the ceiling)</th><td class=\"num\">0.4950 (" + evaluator, "evaluator held out (ceiling)",
                "#0123456789ab</td><td class=\"num\">0.4950</td>", "say little")) {
            assertTrue(html.contains(s), "report lacks " + s);
        }
        Files.delete(dir.resolve("runs/evaluators").resolve(evaluator));
        String unknown = Files.readString(RunReport.build(RunFolder.of(run)).html());
        assertTrue(unknown.contains("not recorded (" + evaluator), "an evaluator whose file is gone has no ceiling");
        assertFalse(unknown.contains("say little"));
    }

    @Test
    void partialRunSaysWhatIsMissing() throws IOException {
        Path run = dir.resolve("partial");
        Files.createDirectories(run);
        RunFolder.of(run).writeHistory(history(3));
        RunReport.Result r = RunReport.build(RunFolder.of(run));
        String html = Files.readString(r.html());
        assertTrue(html.contains("Missing from this run"));
        assertTrue(r.missing().stream().anyMatch(m -> m.startsWith("evaluations.json")), r.missing().toString());
        assertTrue(r.missing().stream().anyMatch(m -> m.startsWith("config.yaml")), r.missing().toString());
        assertTrue(r.missing().contains("progressive.png"), r.missing().toString());
        assertTrue(r.missing().stream().anyMatch(m -> m.startsWith("grid_test.png")), r.missing().toString());
        assertTrue(html.contains("Epochs trained"));
        assertTrue(Files.isRegularFile(run.resolve("loss.png")));
    }

    @Test
    void notARunDirIsBadInput() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RunReport.build(RunFolder.of(empty)));
        assertTrue(e.getMessage().contains("not a run folder"));
        assertEquals(ExitCodes.BAD_INPUT, Main.run("report", "--run", empty.toString()));
        assertEquals(ExitCodes.BAD_INPUT, Main.run("report", "--run", dir.resolve("nope").toString()));
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("history.json"), "{\"epochs\": [{\"epoch\": 1}");
        InvalidInputException json = assertThrows(InvalidInputException.class, () -> RunReport.build(RunFolder.of(bad)));
        assertTrue(json.getMessage().contains("history.json"), json.getMessage());
        assertEquals(ExitCodes.BAD_INPUT, Main.run("report", "--run", bad.toString()));
    }
}
