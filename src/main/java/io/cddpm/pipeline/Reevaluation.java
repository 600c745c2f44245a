package io.cddpm.pipeline;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.Trial;
import io.cddpm.eval.CheckpointScorer;
import io.cddpm.eval.Evaluator;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.runs.RunFolder;
import io.cddpm.state.StateDatabase;
import io.cddpm.state.TrialStore;
import io.cddpm.tracking.TrackingSession;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scheduled (or manual) re-evaluation: for every FINISHED trial of an experiment, re-score its
 * latest checkpoint and its best one (highest mean accuracy in evaluations.json) with the current
 * evaluator and the sampler settings of the experiment YAML as it is now; the
 * {@link TrialLifecycle} records the results in the trial's own run and its reevaluations.json.
 */
public final class Reevaluation {
    /** One trial's outcome. */
    public record Outcome(Trial trial, String status, Map<String, Double> latest, Map<String, Double> best) {}

    private static final String REEVALUATED = "REEVALUATED";

    private Reevaluation() {}

    public static List<Outcome> run(ExperimentConfig experiment, PrintStream console) throws Exception {
        try (StateDatabase state = StateDatabase.open();
                TrackingSession tracking = TrackingSession.open(experiment.tracking(), state.dataSource(), console)) {
            TrialLifecycle lifecycle = TrialLifecycle.forReevaluation(tracking.tracker(), new TrialStore(state.dataSource()), console);
            List<Outcome> outcomes = new ArrayList<>();
            for (Trial trial : experiment.trials()) {
                outcomes.add(trial(trial, lifecycle, console));
            }
            lifecycle.reevaluationDone(experiment.experimentName());
            return outcomes;
        }
    }

    private static Outcome trial(Trial trial, TrialLifecycle lifecycle, PrintStream console) {
        if (!lifecycle.isFinished(trial)) {
            String status = lifecycle.statusOf(trial);
            console.println(trial.label() + ": skipped (" + status + ")");
            return new Outcome(trial, status, Map.of(), Map.of());
        }
        RunFolder folder = RunFolder.of(trial.runDir());
        Optional<Path> newest = folder.newestCheckpoint();
        if (newest.isEmpty()) {
            console.println(trial.label() + ": skipped (no checkpoint in " + folder.checkpoints() + ")");
            return new Outcome(trial, "NO CHECKPOINT", Map.of(), Map.of());
        }
        ExperimentConfig c = trial.config();
        Path latest = newest.get();
        Path best = folder.bestCheckpoint().orElse(latest);
        Path weights = evaluatorFor(c, console);
        String now = Instant.now().toString();
        EvaluationRecord latestRecord;
        EvaluationRecord bestRecord;
        try (Evaluator evaluator = Evaluator.load(weights)) {
            latestRecord = score(folder, latest, c, evaluator, now);
            bestRecord = best.equals(latest) ? latestRecord : score(folder, best, c, evaluator, now);
        }
        lifecycle.reevaluated(trial, weights, latestRecord, bestRecord);
        return new Outcome(trial, REEVALUATED, latestRecord.accuracy(), bestRecord.accuracy());
    }

    private static EvaluationRecord score(RunFolder folder, Path checkpoint, ExperimentConfig c, Evaluator evaluator, String now) {
        SamplingConfig s = c.sampling();
        Map<String, Double> accuracy = CheckpointScorer.accuracies(CheckpointScorer.score(checkpoint, s, ClassificationStage.testFiles(c),
                evaluator, c.training().batchSize()));
        int epoch = RunFolder.epochOf(checkpoint).orElseThrow();
        return EvaluationRecord.of(epoch, folder.relative(checkpoint), s, accuracy, now);
    }

    /** The evaluator of the current config: its file, or the cached trained one (trained now if missing). */
    private static Path evaluatorFor(ExperimentConfig c, PrintStream console) {
        return EvaluatorWeights.cached(c).orElseGet(() -> EvaluatorWeights.resolve(c,
                DatasetPreparer.load(c.dataset(), c.resolution(), Path.of(c.outputDir()), c.training().limitImages()), console).weights());
    }
}
