package io.cddpm.pipeline;

import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.runs.RunFolder;
import io.cddpm.viz.EvaluatorCeilings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a trial's MLflow run says about it in its description (Markdown, tag {@code mlflow.note.content}):
 * headline accuracy, epochs, images/s, wall time and the command that reproduces it; and the row it
 * gets in its sweep's table on the parent run.
 *
 * @param accuracy    test file -> accuracy of the best-scoring evaluation of the last epoch scored (empty: none)
 * @param epoch       the epoch of that evaluation
 * @param setting     the sampling setting that scored it best (null: none)
 * @param scored      every successful evaluation of that epoch (one per sampling setting and evaluator)
 * @param failures    every evaluation whose last attempt failed
 * @param imagesPerS  mean training throughput over the epochs (NaN: unknown)
 * @param wallSeconds wall time (NaN: unknown)
 * @param error       why the trial did not finish, or null
 */
record TrialSummary(String label, RunFolder folder, Map<String, Double> accuracy, int epoch, String setting, List<EvaluationRecord> scored,
        List<EvaluationRecord> failures, int epochs, double imagesPerS, double wallSeconds, String error, Double ceiling) {

    /** From the run folder's records; wallSeconds NaN = the sum of the epochs' training times. */
    static TrialSummary of(String label, RunFolder folder, double wallSeconds) {
        List<EvaluationRecord> evaluations = folder.readEvaluations();
        List<EvaluationRecord> ok = evaluations.stream().filter(e -> !e.failed() && !e.accuracy().isEmpty()).toList();
        int lastEpoch = ok.stream().mapToInt(EvaluationRecord::epoch).max().orElse(0);
        List<EvaluationRecord> scored = ok.stream().filter(e -> e.epoch() == lastEpoch).toList();
        EvaluationRecord best = scored.stream().max(Comparator.comparingDouble(EvaluationRecord::meanAccuracy)).orElse(null);
        List<EvaluationRecord> failures = evaluations.stream().filter(EvaluationRecord::failed).toList();
        List<EpochRecord> history = folder.readHistory();
        double ips = history.stream().filter(e -> e.imagesPerS() != null).mapToDouble(EpochRecord::imagesPerS).average().orElse(Double.NaN);
        double trained = history.stream().filter(e -> e.seconds() != null).mapToDouble(EpochRecord::seconds).sum();
        int epochs = history.stream().mapToInt(EpochRecord::epoch).max().orElse(0);
        Double ceiling = best == null || best.evaluator() == null ? null
                : EvaluatorCeilings.of(folder, null, List.of(best)).get(best.evaluator());
        return new TrialSummary(label, folder, best == null ? Map.of() : best.accuracy(), lastEpoch, best == null ? null : best.setting(),
                scored, failures, epochs, ips, Double.isNaN(wallSeconds) && trained > 0 ? trained : wallSeconds, null, ceiling);
    }

    static TrialSummary failed(String label, String error) {
        return new TrialSummary(label, null, Map.of(), 0, null, List.of(), List.of(), 0, Double.NaN, Double.NaN, error, null);
    }

    double mean() {
        return accuracy.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /**
     * accuracy_<test file>, mean_accuracy and the sampling setting that scored them, as registry version tags
     * (the champion is chosen by mean_accuracy: the version's best sampling setting).
     */
    Map<String, String> scoreTags() {
        Map<String, String> tags = scoreTags(accuracy);
        if (setting != null) {
            tags.put("sampling", setting);
        }
        return tags;
    }

    static Map<String, String> scoreTags(Map<String, Double> accuracy) {
        Map<String, String> tags = new LinkedHashMap<>();
        accuracy.forEach((name, a) -> tags.put("accuracy_" + name, fmt(a)));
        if (!accuracy.isEmpty()) {
            tags.put(TrialLifecycle.MEAN_ACCURACY, fmt(accuracy.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
        }
        return tags;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String seconds(double s) {
        if (Double.isNaN(s)) {
            return "–";
        }
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", t / 3600, t / 60 % 60)
                : t >= 60 ? String.format(Locale.ROOT, "%dm %02ds", t / 60, t % 60) : t + " s";
    }

    private static String rate(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
    }

    /** The trial run's description. */
    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(label).append("\n\n");
        if (accuracy.isEmpty()) {
            md.append("No evaluation recorded.\n\n");
        } else {
            md.append("**Accuracy** (epoch ").append(epoch).append(", sampling ").append(setting).append("): ");
            List<String> parts = new ArrayList<>();
            accuracy.forEach((name, a) -> parts.add(name + " **" + fmt(a) + "**"));
            md.append(String.join(", ", parts)).append(", mean **").append(fmt(mean())).append("**");
            md.append(ceiling == null ? "" : EvaluatorCeilings.label(ceiling)).append("\n\n");
            if (scored.size() > 1) {
                md.append("Epoch ").append(epoch).append(" under each sampling setting:\n\n| setting | evaluator | mean |\n|---|---|---:|\n");
                for (EvaluationRecord e : scored) {
                    md.append("| ").append(e.setting()).append(" | ").append(e.evaluator() == null ? "–" : e.evaluator()).append(" | ")
                            .append(fmt(e.meanAccuracy())).append(" |\n");
                }
                md.append('\n');
            }
        }
        if (!failures.isEmpty()) {
            md.append("**Failed evaluations:**\n\n");
            for (EvaluationRecord e : failures) {
                md.append("- epoch ").append(e.epoch()).append(", ").append(e.setting()).append(": ").append(e.error()).append('\n');
            }
            md.append('\n');
        }
        md.append("| epochs | images/s | wall time |\n|---:|---:|---:|\n");
        md.append("| ").append(epochs).append(" | ").append(rate(imagesPerS)).append(" | ").append(seconds(wallSeconds)).append(" |\n\n");
        md.append("Reproduce (the resolved config of this trial; a new output folder trains it again):\n\n```\ncddpm run ")
                .append(folder.config().toAbsolutePath()).append(" --set output_dir=NEW_FOLDER\n```\n");
        return md.toString();
    }

    /** The parent run's description: one row per trial. */
    static String table(String experiment, List<TrialSummary> rows) {
        List<String> tests = new ArrayList<>();
        rows.forEach(r -> r.accuracy.keySet().forEach(t -> {
            if (!tests.contains(t)) {
                tests.add(t);
            }
        }));
        StringBuilder md = new StringBuilder("### ").append(experiment).append(": ").append(rows.size()).append(" trial(s)\n\n| trial |");
        tests.forEach(t -> md.append(' ').append(t).append(" |"));
        md.append(" mean | evaluator ceiling | epochs | images/s | wall time |\n|---|");
        tests.forEach(t -> md.append("---:|"));
        md.append("---:|---:|---:|---:|---:|\n");
        for (TrialSummary r : rows) {
            md.append("| ").append(r.label.replace("|", "\\|")).append(" |");
            if (r.error != null) {
                md.append(" ").append(r.error.replace("|", "\\|").replace("\n", " ")).append(" |");
                for (int i = 0; i < tests.size() + 4; i++) {
                    md.append(" |");
                }
                md.append('\n');
                continue;
            }
            tests.forEach(t -> md.append(' ').append(r.accuracy.containsKey(t) ? fmt(r.accuracy.get(t)) : "–").append(" |"));
            md.append(' ').append(r.accuracy.isEmpty() ? "–" : fmt(r.mean())).append(" | ")
                    .append(r.ceiling == null ? "–" : fmt(r.ceiling) + (r.ceiling < EvaluatorCeilings.RELIABLE ? " (unreliable)" : ""))
                    .append(" | ").append(r.epochs).append(" | ").append(rate(r.imagesPerS)).append(" | ").append(seconds(r.wallSeconds))
                    .append(" |\n");
        }
        if (rows.stream().anyMatch(r -> r.ceiling != null && r.ceiling < EvaluatorCeilings.RELIABLE)) {
            md.append("\nAn evaluator whose held-out accuracy is under ").append(EvaluatorCeilings.RELIABLE)
                    .append(" cannot tell the labels of real scenes apart reliably; the accuracies it gives samples mean little.\n");
        }
        return md.toString();
    }
}
