package io.cddpm.viz;

import io.cddpm.config.ConfigFlattener;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.core.AtomicFiles;
import io.cddpm.core.InvalidInputException;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.Labels;
import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.runs.RunFolder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code report.html} for a run folder ({@link RunFolder}): one self-contained page (images
 * embedded as base64) with the headline figures, the sample grids, the progressive image, the loss
 * and accuracy plots (re-drawn from history.json / evaluations.json when present) and the config.
 * Whatever the run does not have yet is listed as missing instead of failing.
 */
public final class RunReport {

    /**
     * @param html    the written report
     * @param missing what the run lacks (e.g. "evaluations.json (no accuracy yet)")
     * @param figures the headline figures shown
     */
    public record Result(Path html, List<String> missing, RunFigures figures) {}

    /** Under this held-out accuracy an evaluator's scores are flagged as saying little. */
    static final double RELIABLE_CEILING = EvaluatorCeilings.RELIABLE;
    /** Pictures narrower than this are shown at twice their size. */
    private static final int SMALL_PICTURE = 400;

    private RunReport() {}

    /** Builds the run's report.html (and loss.png, accuracy.png and the grids it can derive). */
    public static Result build(RunFolder run) {
        if (!run.exists()) {
            throw new InvalidInputException(run.dir() + " is not a run folder (it has none of " + RunFolder.markers() + ")");
        }
        List<String> missing = new ArrayList<>();
        ExperimentConfig config = null;
        String configProblem = null;
        if (Files.isRegularFile(run.config())) {
            try {
                config = ConfigLoader.load(run.config());
            } catch (InvalidInputException e) {
                configProblem = e.getMessage();
                missing.add(RunFolder.CONFIG + " (unreadable: " + e.getMessage() + ")");
            }
        } else {
            missing.add(RunFolder.CONFIG + " (no config table)");
        }

        List<EpochRecord> history = run.readHistory();
        if (!history.isEmpty()) {
            TrainingPlots.writeLoss(history, run.lossPlot());
        } else {
            missing.add(RunFolder.HISTORY + " (no training figures)");
        }
        // the figures and the accuracy plot follow the run's own sampling setting; the table lists every evaluation
        List<EvaluationRecord> all = run.readEvaluations();
        String own = config == null ? null : SamplingSettings.slug(config.sampling());
        List<EvaluationRecord> evaluations = all.stream()
                .filter(e -> !e.failed() && !e.accuracy().isEmpty() && (own == null || own.equals(e.setting()))).toList();
        Map<String, Double> ceilings = EvaluatorCeilings.of(run, config, all);
        if (!evaluations.isEmpty()) {
            TrainingPlots.writeAccuracy(evaluations, ceilings.getOrDefault(evaluations.get(evaluations.size() - 1).evaluator(), Double.NaN),
                    run.accuracyPlot());
        } else {
            missing.add(RunFolder.EVALUATIONS + " (no accuracy yet)");
        }
        if (!Files.isDirectory(run.checkpoints())) {
            missing.add(RunFolder.CHECKPOINTS + "/");
        }

        List<String> grids = new ArrayList<>();
        for (String test : testNames(run, config)) {
            Path grid = run.grid(test);
            if (!Files.isRegularFile(grid)) {
                List<Path> samples = samplePngs(run.samples(test));
                if (!samples.isEmpty()) {
                    List<BufferedImage> images = samples.stream().map(Images::read).toList();
                    Optional<List<List<String>>> conditions = conditions(config, test).filter(c -> c.size() == images.size());
                    Images.writePng(conditions.isPresent() ? LabelledGrid.of(images, conditions.get()) : ImageGrid.of(images), grid);
                }
            }
            if (Files.isRegularFile(grid)) {
                grids.add(test);
            } else {
                missing.add(grid.getFileName() + " (no samples for " + test + ")");
            }
        }
        for (Path png : List.of(run.progressive(), run.lossPlot(), run.accuracyPlot())) {
            if (!Files.isRegularFile(png)) {
                missing.add(png.getFileName().toString());
            }
        }

        RunFigures figures = RunFigures.of(history, evaluations);
        String html = html(run, config, configProblem, figures, evaluations, all, ceilings, grids, missing);
        AtomicFiles.writeString(run.report(), html);
        return new Result(run.report(), List.copyOf(missing), figures);
    }

    /** The config's test files as names ("test", "new_test", or a path's file name without .json), plus any other grid_*.png. */
    static List<String> testNames(RunFolder run, ExperimentConfig config) {
        Set<String> names = new LinkedHashSet<>();
        List<String> files = config != null ? config.dataset().testFiles() : List.of("test", "new_test");
        for (String f : files) {
            names.add(testName(f));
        }
        names.addAll(run.gridNames());
        return List.copyOf(names);
    }

    /** A test file's name: "test", "new_test", or a path's file name without .json. */
    private static String testName(String file) {
        String name = Path.of(file).getFileName().toString();
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }

    /** The conditions of a test file of the config, by its name, when the file can be read. */
    private static Optional<List<List<String>>> conditions(ExperimentConfig config, String test) {
        if (config == null) {
            return Optional.empty();
        }
        for (String f : config.dataset().testFiles()) {
            if (testName(f).equals(test)) {
                try {
                    return Optional.of(ConditionFile.resolve(f, Labels.builtin()).conditions());
                } catch (InvalidInputException unreadable) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static List<Path> samplePngs(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            // the samples 000.png, 001.png, ..., not the folder's own grid.png
            return s.filter(p -> p.getFileName().toString().matches("\\d+\\.png")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String html(RunFolder run, ExperimentConfig config, String configProblem, RunFigures f,
            List<EvaluationRecord> evaluations, List<EvaluationRecord> all, Map<String, Double> ceilings, List<String> grids,
            List<String> missing) {
        Path abs = run.dir().toAbsolutePath().normalize();
        String title = "cddpm report: " + (abs.getParent() != null ? abs.getParent().getFileName() + "/" : "") + abs.getFileName();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(title)).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}\n")
                .append("table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .7em;text-align:left}\n")
                .append("th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
                .append("img{max-width:100%;image-rendering:pixelated;border:1px solid #ddd}img.plot{image-rendering:auto;width:800px}\n")
                .append(".missing{background:#fff4e5;border:1px solid #f0c36d;padding:.5em 1em}code{background:#f3f3f3;padding:0 .2em}\n")
                .append("td.failed{background:#fdecea;color:#8a1c13}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n<p>");
        if (config != null) {
            h.append("Experiment <b>").append(esc(config.experimentName())).append("</b>, ");
        }
        h.append("run directory <code>").append(esc(abs.toString())).append("</code>, report written ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(".</p>\n");
        if (!missing.isEmpty()) {
            h.append("<div class=\"missing\"><b>Missing from this run:</b><ul>\n");
            missing.forEach(m -> h.append("<li>").append(esc(m)).append("</li>\n"));
            h.append("</ul></div>\n");
        }

        h.append("<h2>Figures</h2>\n<table>\n");
        row(h, "Epochs trained", f.lastEpoch() == null ? null : String.valueOf(f.lastEpoch()));
        row(h, "Final training loss", f.finalLoss() == null ? null : String.format(Locale.ROOT, "%.5f", f.finalLoss()));
        row(h, "Training time", f.trainSeconds() == null ? null : duration(f.trainSeconds()));
        row(h, "Training images/s (mean)", f.imagesPerSecond() == null ? null : String.format(Locale.ROOT, "%.1f", f.imagesPerSecond()));
        EvaluationRecord last = evaluations.isEmpty() ? null : evaluations.get(evaluations.size() - 1);
        Double ceiling = last == null ? null : ceilings.get(last.evaluator());
        String beside = ceiling == null ? "" : String.format(Locale.ROOT, "; ceiling %.4f", ceiling);
        for (Map.Entry<String, Double> a : f.finalAccuracy().entrySet()) {
            row(h, "Final accuracy, " + a.getKey(), String.format(Locale.ROOT, "%.4f", a.getValue())
                    + (beside.isEmpty() ? "" : " (" + beside.substring(2) + ")"));
            row(h, "Best accuracy, " + a.getKey(), String.format(Locale.ROOT, "%.4f (epoch %d%s)",
                    f.bestAccuracy().get(a.getKey()), f.bestEpoch().get(a.getKey()), beside));
        }
        if (last == null) {
            row(h, "Accuracy", null);
        } else {
            row(h, "Last evaluation", "epoch " + last.epoch() + ", " + last.sampling());
            row(h, "Evaluator's held-out accuracy (the ceiling)", (ceiling == null ? "not recorded"
                    : String.format(Locale.ROOT, "%.4f", ceiling)) + " (" + (last.evaluator() == null ? "evaluator not recorded" : last.evaluator()) + ")");
        }
        h.append("</table>\n");
        if (ceiling != null && ceiling < RELIABLE_CEILING) {
            h.append("<p class=\"missing\">The evaluator recognises the labels of held-out ground-truth scenes with an accuracy of only ")
                    .append(String.format(Locale.ROOT, "%.4f", ceiling)).append(" (under ").append(RELIABLE_CEILING)
                    .append("): the accuracies above are bounded by it and say little about the samples; look at the pictures.</p>\n");
        }
        evaluationTable(h, all, ceilings);

        if (!grids.isEmpty()) {
            h.append("<h2>Samples</h2>\n");
            for (String test : grids) {
                figure(h, run.grid(test), "Samples for the conditions of " + test
                        + " (8 per row, in file order, labelled with what each was asked for)", false);
            }
        }
        if (Files.isRegularFile(run.progressive())) {
            h.append("<h2>Progressive generation</h2>\n");
            figure(h, run.progressive(), "One condition denoised from pure noise (left) to the final image (right)", false);
        }
        if (Files.isRegularFile(run.lossPlot()) || Files.isRegularFile(run.accuracyPlot())) {
            h.append("<h2>Plots</h2>\n");
            if (Files.isRegularFile(run.lossPlot())) {
                figure(h, run.lossPlot(), "Training loss per epoch", true);
            }
            if (Files.isRegularFile(run.accuracyPlot())) {
                figure(h, run.accuracyPlot(), "Accuracy per evaluation, for each test file", true);
            }
        }

        h.append("<h2>Configuration</h2>\n");
        if (config != null) {
            h.append("<table>\n<tr><th>key</th><th>value</th></tr>\n");
            ConfigFlattener.flatten(config).forEach((k, v) -> h.append("<tr><td><code>").append(esc(k)).append("</code></td><td>")
                    .append(esc(v)).append("</td></tr>\n"));
            h.append("</table>\n");
        } else {
            h.append("<p>").append(esc(configProblem != null ? configProblem : "no " + RunFolder.CONFIG)).append("</p>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /**
     * Every evaluation of the run: checkpoint, sampling setting, evaluator and its held-out accuracy (the
     * ceiling), accuracy per file, or why it failed.
     */
    private static void evaluationTable(StringBuilder h, List<EvaluationRecord> all, Map<String, Double> ceilings) {
        if (all.isEmpty()) {
            return;
        }
        List<String> files = new ArrayList<>();
        all.forEach(e -> e.accuracy().keySet().forEach(f -> {
            if (!files.contains(f)) {
                files.add(f);
            }
        }));
        h.append("<h2>Evaluations</h2>\n<p>One row per checkpoint, sampling setting and evaluator (evaluations.json).</p>\n");
        h.append("<table>\n<tr><th>epoch</th><th>sampling</th><th>evaluator</th><th>evaluator held out (ceiling)</th>");
        files.forEach(f -> h.append("<th>").append(esc(f)).append("</th>"));
        h.append("<th>status</th></tr>\n");
        for (EvaluationRecord e : all) {
            h.append("<tr><td class=\"num\">").append(e.epoch()).append("</td><td><code>").append(esc(e.setting())).append("</code></td><td>")
                    .append(esc(e.evaluator() == null ? "(not recorded)" : e.evaluator())).append("</td><td class=\"num\">")
                    .append(ceilings.containsKey(e.evaluator()) ? String.format(Locale.ROOT, "%.4f", ceilings.get(e.evaluator())) : "–")
                    .append("</td>");
            files.forEach(f -> h.append("<td class=\"num\">").append(e.accuracy().containsKey(f)
                    ? String.format(Locale.ROOT, "%.4f", e.accuracy().get(f)) : "–").append("</td>"));
            h.append(e.failed() ? "<td class=\"failed\"><b>FAILED</b>: " + esc(e.error()) + "</td>" : "<td>scored</td>").append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td class=\"num\">").append(value == null ? "&mdash;" : esc(value))
                .append("</td></tr>\n");
    }

    private static void figure(StringBuilder h, Path png, String caption, boolean plot) {
        String data;
        try {
            data = Base64.getEncoder().encodeToString(Files.readAllBytes(png));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + png, e);
        }
        BufferedImage img = Images.read(png);
        h.append("<figure>\n<img").append(plot ? " class=\"plot\"" : "").append(" alt=\"").append(esc(png.getFileName().toString()))
                .append("\" width=\"").append(plot ? 800 : displayWidth(img)).append("\" src=\"data:image/png;base64,").append(data)
                .append("\">\n<figcaption>").append(esc(caption)).append(" <code>").append(esc(png.getFileName().toString()))
                .append("</code></figcaption>\n</figure>\n");
    }

    /**
     * A picture's width on the page: its own (grids and strips are drawn with their samples enlarged), twice
     * that for a small picture of a run made before they were.
     */
    private static int displayWidth(BufferedImage img) {
        return img.getWidth() < SMALL_PICTURE ? 2 * img.getWidth() : img.getWidth();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d (%.1f s)", s / 3600, (s / 60) % 60, s % 60, seconds);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
