package io.cddpm.pipeline;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.config.Trial;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.RunFolder;
import io.cddpm.state.StateDatabase;
import io.cddpm.tracking.TrackingSession;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scheduled (or manual) re-evaluation, a plain class that {@code cddpm reevaluate} and the Quartz
 * re-evaluation job call (not a Camel route): for every FINISHED trial of an experiment, score its
 * latest checkpoint and its best one (highest mean accuracy in evaluations.json) with the evaluator and
 * the sampling setting the experiment YAML asks for now, through the one evaluation operation (a
 * checkpoint already scored that way is reused, not sampled again); the {@link TrialLifecycle}
 * records the results in the trial's own run and its reevaluations.json.
 */
public final class Reevaluation {
    /** One trial's outcome. */
    public record Outcome(Trial trial, String status, Map<String, Double> latest, Map<String, Double> best) {}

    private static final String REEVALUATED = "REEVALUATED";

    private Reevaluation() {}

    public static List<Outcome> run(ExperimentConfig experiment, PrintStream console) throws Exception {
        try (StateDatabase state = StateDatabase.open();
                TrackingSession tracking = TrackingSession.open(experiment.tracking(), state.dataSource(), console)) {
            TrialLifecycle lifecycle = TrialLifecycle.forReevaluation(tracking.tracker(), TrialIdentity.store(state), console);
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
        String own = SamplingSettings.slug(folder.ownSampling().orElse(c.sampling()));
        console.printf("%s: scoring epoch %d%s with %s (%s)...%n", trial.label(), RunFolder.epochOf(latest).orElseThrow(),
                best.equals(latest) ? " (latest and best)" : " (latest) and epoch " + RunFolder.epochOf(best).orElseThrow() + " (best)",
                SamplingSettings.slug(c.sampling()), weights.getFileName());
        CheckpointEvaluation.Outcome latestOutcome;
        CheckpointEvaluation.Outcome bestOutcome;
        try (CheckpointEvaluation evaluation = new CheckpointEvaluation(folder, weights, ClassificationStage.testFiles(c),
                c.training().batchSize(), own, lifecycle.legacyEvaluator(trial))) {
            latestOutcome = evaluation.evaluate(RunFolder.epochOf(latest).orElseThrow(), latest, c.sampling(), false);
            bestOutcome = best.equals(latest) ? latestOutcome
                    : evaluation.evaluate(RunFolder.epochOf(best).orElseThrow(), best, c.sampling(), false);
        }
        lifecycle.reevaluated(trial, latestOutcome, bestOutcome);
        return new Outcome(trial, latestOutcome.failed() ? "FAILED" : REEVALUATED, latestOutcome.record().accuracy(),
                bestOutcome.record().accuracy());
    }

    /** The evaluator of the current config: its file, or the cached trained one (trained now if missing). */
    private static Path evaluatorFor(ExperimentConfig c, PrintStream console) {
        return EvaluatorWeights.cached(c).orElseGet(() -> EvaluatorWeights.resolve(c,
                DatasetPreparer.load(c.dataset(), c.resolution(), Path.of(c.outputDir()), c.training().limitImages()), console).weights());
    }
}
