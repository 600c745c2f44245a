package io.cddpm.pipeline;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.eval.Accuracy;
import io.cddpm.eval.CheckpointScorer;
import io.cddpm.eval.Evaluator;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.tracking.MetricPoint;
import io.cddpm.tracking.MlflowTracker;
import io.cddpm.tracking.RunHandle;
import io.cddpm.viz.EvaluationRecord;
import io.cddpm.viz.RunFiles;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scheduled (or manual) re-evaluation: for every FINISHED trial of an experiment, re-score its
 * latest checkpoint and its best one (highest mean accuracy in evaluations.json) with the current
 * evaluator and the sampler settings of the experiment YAML as it is now, and log the result to the
 * trial's own MLflow run as {@code reeval/accuracy_<test file>} and {@code reeval/best_accuracy_<test file>}
 * (step = the checkpoint's epoch, timestamp = now); every result is appended to the trial's
 * reevaluations.json.
 */
public final class Reevaluation {
    public static final String FILE = "reevaluations.json";

    /** One trial's outcome. */
    public record Outcome(Trial trial, String status, Map<String, Double> latest, Map<String, Double> best) {}

    private Reevaluation() {}

    public static List<Outcome> run(ExperimentConfig experiment, PrintStream console) throws Exception {
        try (TrackingSession session = TrackingSession.open(experiment, console)) {
            List<Outcome> outcomes = new ArrayList<>();
            for (Trial trial : experiment.trials()) {
                outcomes.add(trial(trial, session, console));
            }
            return outcomes;
        }
    }

    private static Outcome trial(Trial trial, TrackingSession session, PrintStream console) {
        Optional<TrialStore.Row> row = session.store().find(trial.runDir());
        if (row.isEmpty() || !row.get().status().equals("FINISHED")) {
            String status = row.map(TrialStore.Row::status).orElse("NOT RUN");
            console.println(trial.label() + ": skipped (" + status + ")");
            return new Outcome(trial, status, Map.of(), Map.of());
        }
        Path latest = TrialStages.newestCheckpoint(trial.runDir());
        if (latest == null) {
            console.println(trial.label() + ": skipped (no checkpoint in " + trial.runDir().resolve("checkpoints") + ")");
            return new Outcome(trial, "NO CHECKPOINT", Map.of(), Map.of());
        }
        ExperimentConfig c = trial.config();
        Path best = bestCheckpoint(trial.runDir()).orElse(latest);
        Path weights = evaluatorFor(c, console);
        MlflowTracker tracker = session.tracker();
        Optional<RunHandle> run = row.get().runKey() == null ? Optional.empty() : tracker.resumeRun(row.get().runKey());
        Map<String, Double> latestScores;
        Map<String, Double> bestScores;
        try (Evaluator evaluator = Evaluator.load(weights)) {
            latestScores = score(latest, c, evaluator);
            bestScores = best.equals(latest) ? latestScores : score(best, c, evaluator);
        }
        long now = System.currentTimeMillis();
        List<MetricPoint> points = new ArrayList<>();
        int latestEpoch = epochOf(latest);
        int bestEpoch = epochOf(best);
        latestScores.forEach((name, a) -> points.add(new MetricPoint("reeval/accuracy_" + name, a, now, latestEpoch)));
        bestScores.forEach((name, a) -> points.add(new MetricPoint("reeval/best_accuracy_" + name, a, now, bestEpoch)));
        if (run.isPresent()) {
            tracker.logPoints(run.get(), points);
            tracker.setTags(run.get(), Map.of("cddpm.reevaluated_at", Instant.ofEpochMilli(now).toString(),
                    "cddpm.reeval_evaluator", weights.toString()));
        } else {
            console.println(trial.label() + ": no MLflow run recorded; results only in " + FILE);
        }
        append(trial.runDir(), c, latest, latestEpoch, latestScores, now);
        if (!best.equals(latest)) {
            append(trial.runDir(), c, best, bestEpoch, bestScores, now);
        }
        console.printf("%s: re-evaluated latest (epoch %d) %s, best (epoch %d) %s%n", trial.label(), latestEpoch, latestScores, bestEpoch,
                bestScores);
        return new Outcome(trial, "REEVALUATED", latestScores, bestScores);
    }

    private static Map<String, Double> score(Path checkpoint, ExperimentConfig c, Evaluator evaluator) {
        Map<String, Accuracy.Result> r = CheckpointScorer.score(checkpoint, c.sampling(), ClassificationStage.testFiles(c), evaluator,
                c.training().batchSize());
        return CheckpointScorer.accuracies(r);
    }

    /** The evaluator of the current config: its file, or the cached trained one (trained now if missing). */
    private static Path evaluatorFor(ExperimentConfig c, PrintStream console) {
        return EvaluatorWeights.cached(c).orElseGet(() -> EvaluatorWeights.resolve(c,
                DatasetPreparer.load(c.dataset(), c.resolution(), Path.of(c.outputDir()), c.training().limitImages()), console).weights());
    }

    /** The checkpoint with the highest mean accuracy over the test files, if any evaluation names one that still exists. */
    static Optional<Path> bestCheckpoint(Path runDir) {
        Path file = runDir.resolve(RunFiles.EVALUATIONS);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        EvaluationRecord best = null;
        double bestMean = -1;
        for (EvaluationRecord r : RunFiles.evaluations(file)) {
            double mean = r.accuracy().values().stream().mapToDouble(Double::doubleValue).average().orElse(-1);
            if (r.checkpoint() != null && Files.isRegularFile(runDir.resolve(r.checkpoint())) && mean > bestMean) {
                best = r;
                bestMean = mean;
            }
        }
        return best == null ? Optional.empty() : Optional.of(runDir.resolve(best.checkpoint()));
    }

    static int epochOf(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        return Integer.parseInt(name.substring("epoch-".length(), name.indexOf('.')));
    }

    private static void append(Path runDir, ExperimentConfig c, Path checkpoint, int epoch, Map<String, Double> scores, long now) {
        Path file = runDir.resolve(FILE);
        List<EvaluationRecord> all = new ArrayList<>(Files.isRegularFile(file) ? RunFiles.evaluations(file) : List.of());
        all.add(new EvaluationRecord(epoch, runDir.relativize(checkpoint).toString(), c.sampling().sampler().id(), c.sampling().steps(),
                c.sampling().guidance(), new LinkedHashMap<>(scores), Instant.ofEpochMilli(now).toString()));
        RunFiles.writeEvaluations(file, all);
    }
}
