package io.cddpm.pipeline;

import ai.djl.ndarray.NDManager;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.data.ConditionFile;
import io.cddpm.eval.Accuracy;
import io.cddpm.eval.Evaluator;
import io.cddpm.runs.ModelPackage;
import io.cddpm.sampling.ImageSampler;
import io.cddpm.tracking.RunHandle;
import io.cddpm.tracking.RunTags;
import io.cddpm.tracking.Tracker;
import io.cddpm.viz.ProgressiveStrip;
import io.cddpm.viz.SampleFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a trained model draws, shown in one go ({@code cddpm model show}, the end of {@code make demo}):
 * one image per condition of each condition file, written as labelled grids (PNGs, images.npz) under
 * an output folder with the progressive denoising of the first condition, each file scored by the
 * model's evaluator; optionally recorded as an MLflow run (metrics, grids, the model's files as a model
 * directory registered under the model's name).
 */
public final class ModelShowcase {
    /** The run tag that says what a showcase run is. */
    static final String KIND_TAG = "cddpm.kind";

    /** What was drawn and how it scored. */
    public record Result(Map<String, Accuracy.Result> accuracy, Map<String, Path> grids, Path progressive, double seconds,
            int denoisingSteps) {}

    private ModelShowcase() {}

    /** Samples every file with {@code sampling} and scores it; pictures go to {@code out/FILE/} and {@code out/progressive.png}. */
    public static Result draw(Path model, SamplingConfig sampling, List<ConditionFile> files, Evaluator evaluator, Path out, int batch,
            PrintStream console) throws IOException {
        Files.createDirectories(out);
        Map<String, Accuracy.Result> accuracy = new LinkedHashMap<>();
        Map<String, Path> grids = new LinkedHashMap<>();
        Path progressive = null;
        long start = System.nanoTime();
        int steps;
        try (ImageSampler sampler = ImageSampler.fromCheckpoint(model, sampling.useEma(), ModelCheckpoints.LOCATOR)) {
            steps = sampler.denoisingSteps(sampling);
            for (ConditionFile file : files) {
                boolean first = progressive == null;
                try (NDManager scope = NDManager.newBaseManager()) {
                    ImageSampler.Samples s = sampler.sample(file.multiHot(), sampling, batch, first ? sampler.progressiveInterval(sampling) : 0,
                            scope);
                    SampleFiles.Written written = SampleFiles.write(s.images(), file.conditions(), out.resolve(file.name()));
                    grids.put(file.name(), written.grid());
                    if (first) {
                        progressive = out.resolve("progressive.png");
                        ProgressiveStrip.write(s.intermediates(), s.intermediateSteps(), file.conditions().get(0), progressive);
                    }
                    Accuracy.Result r = evaluator.score(s.images(), file.indices());
                    accuracy.put(file.name(), r);
                    console.printf(Locale.ROOT, "  %-10s accuracy %.4f (%d images)  %s%n", file.name(), r.accuracy(), file.size(),
                            written.grid());
                }
            }
        }
        return new Result(accuracy, grids, progressive, (System.nanoTime() - start) / 1e9, steps);
    }

    /**
     * Records a showcase as a run of {@code experiment} named after the model: its sampling setting and
     * source as params and tags, the accuracies (and the evaluator's ceiling) as metrics, the grids and
     * the strip as artifacts; with {@code register}, the package's files as an MLflow model directory
     * registered as a version of the model's name.
     */
    public static void track(Tracker tracker, String experiment, ModelPackage pkg, SamplingConfig sampling, Result result, boolean register) {
        String name = pkg.name();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(KIND_TAG, "model showcase");
        tags.put(RunTags.COLOR, RunTags.SHOWCASE_COLOR);
        tags.put(TrialLifecycle.NOTE_TAG, description(pkg, sampling, result));
        RunHandle run = tracker.startRun(experiment, name + " (shipped model)", tags);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("model", name);
        params.put("resolution", Integer.toString(pkg.config().resolution()));
        params.put("sampling", SamplingSettings.slug(sampling));
        if (pkg.manifest().source() != null) {
            params.put("source.checkpoint", pkg.manifest().source().checkpoint());
            params.put("source.epoch", Integer.toString(pkg.manifest().source().epoch()));
            params.put("source.config_hash", pkg.manifest().source().configHash());
        }
        params.put("weights.sha256", pkg.manifest().weights().sha256());
        tracker.logParams(run, params);
        Map<String, Double> metrics = new LinkedHashMap<>();
        result.accuracy().forEach((file, r) -> metrics.put("accuracy_" + file, r.accuracy()));
        if (pkg.manifest().evaluatorHeldoutAccuracy() != null) {
            metrics.put("evaluator_heldout_accuracy", pkg.manifest().evaluatorHeldoutAccuracy());
        }
        tracker.logMetrics(run, metrics, 0);
        result.grids().forEach((file, grid) -> tracker.logArtifact(run, grid, "grids/" + file));
        if (result.progressive() != null) {
            tracker.logArtifact(run, result.progressive(), "grids");
        }
        if (register) {
            Map<String, Path> files = new LinkedHashMap<>();
            try (var list = Files.list(pkg.dir())) {
                list.filter(Files::isRegularFile).sorted().forEach(p -> files.put(p.getFileName().toString(), p));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Map<String, String> flavor = new LinkedHashMap<>();
            flavor.put("package", ModelPackage.MANIFEST);
            flavor.put("weights", ModelPackage.WEIGHTS);
            flavor.put("config", ModelPackage.CONFIG);
            flavor.put("resolution", Integer.toString(pkg.config().resolution()));
            Map<String, String> scores = new LinkedHashMap<>();
            result.accuracy().forEach((file, r) -> scores.put("accuracy_" + file, String.format(Locale.ROOT, "%.4f", r.accuracy())));
            tracker.logModel(run, "model", TrialLifecycle.FLAVOR, files, flavor, scores);
            Map<String, String> versionTags = new LinkedHashMap<>(scores);
            versionTags.put("sampling", SamplingSettings.slug(sampling));
            versionTags.put("weights_sha256", pkg.manifest().weights().sha256());
            tracker.registerModel(run, name, "model", versionTags);
        }
        tracker.finishRun(run);
    }

    /** The run's description: what the model is, how it scored against the ceiling, and how to use it. */
    static String description(ModelPackage pkg, SamplingConfig sampling, Result result) {
        StringBuilder s = new StringBuilder();
        s.append("**").append(pkg.name()).append("**");
        if (pkg.manifest().description() != null) {
            s.append(": ").append(pkg.manifest().description());
        }
        s.append("\n\nSampled with ").append(SamplingSettings.slug(sampling)).append(" (").append(result.denoisingSteps())
                .append(" denoising steps) in ").append(String.format(Locale.ROOT, "%.1f s", result.seconds())).append(".\n\n");
        Double ceiling = pkg.manifest().evaluatorHeldoutAccuracy();
        result.accuracy().forEach((file, r) -> s.append(String.format(Locale.ROOT, "- accuracy on %s: %.4f%s%n", file, r.accuracy(),
                ceiling == null ? "" : String.format(Locale.ROOT, " (the evaluator's held-out accuracy, its ceiling: %.4f)", ceiling))));
        s.append("\nDraw your own label sets with it: `bin/cddpm sample --checkpoint ").append(pkg.name())
                .append(" --conditions my.json --out my-samples` (or `--checkpoint models:/").append(pkg.name())
                .append("/VERSION` from this registry).\n");
        return s.toString();
    }
}
