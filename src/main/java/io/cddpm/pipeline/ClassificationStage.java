package io.cddpm.pipeline;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.IclevrDataset;
import io.cddpm.data.Labels;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.RunFolder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The classification stage (bean {@code classification}): provides the trial's evaluator and scores
 * its checkpoints through the one evaluation operation ({@link CheckpointEvaluation}): during training
 * with the trial's own sampling setting, and the final checkpoint under every setting the trial is
 * scored under; every outcome goes to the {@link TrialLifecycle}.
 */
public final class ClassificationStage {
    private final PrintStream console;
    private final TrialLifecycle lifecycle;

    public ClassificationStage(PrintStream console, TrialLifecycle lifecycle) {
        this.console = console;
        this.lifecycle = lifecycle;
    }

    /**
     * Finds or trains the evaluator before training starts, so a missing evaluator fails the trial early. A
     * trial that is only scored loads its data only when its evaluator has to be trained.
     */
    public TrialRun prepare(TrialRun run) {
        ExperimentConfig c = run.config();
        try (SharedInputs.Lock lock = SharedInputs.lock(Path.of(c.outputDir()), console)) {
            IclevrDataset data = run.dataset();
            if (data == null && EvaluatorWeights.cached(c).isEmpty()) {
                data = DatasetPreparer.load(c.dataset(), c.resolution(), Path.of(c.outputDir()), c.training().limitImages());
            }
            lifecycle.evaluatorChosen(run, EvaluatorWeights.resolve(c, data, console));
        }
        return run;
    }

    /** Checkpoint route: scores a checkpoint written during training with the trial's own sampling setting. */
    public CheckpointEvent evaluateCheckpoint(CheckpointEvent event) {
        TrialRun run = event.run();
        try (CheckpointEvaluation evaluation = evaluation(run)) {
            lifecycle.evaluated(run, event.epoch(), evaluation.evaluate(event.epoch(), event.checkpoint(), run.ownSampling(), false));
        }
        return event;
    }

    /**
     * Scores the final checkpoint under every sampling setting of the trial (its own first); recorded ones are reused.
     * A setting scored under several seeds then gets its mean over them ({@link SeedAverage}).
     */
    public TrialRun evaluateFinal(TrialRun run) {
        Path last = run.lastCheckpoint();
        int epoch = RunFolder.epochOf(last).orElse(run.config().training().epochs());
        List<SamplingConfig> settings = run.samplings();
        List<CheckpointEvaluation.Outcome> outcomes = new ArrayList<>();
        try (CheckpointEvaluation evaluation = evaluation(run)) {
            for (SamplingConfig s : settings) {
                CheckpointEvaluation.Outcome o = evaluation.evaluate(epoch, last, s, true);
                outcomes.add(o);
                lifecycle.evaluated(run, epoch, o);
            }
        }
        boolean anyNew = outcomes.stream().anyMatch(o -> !o.reused());
        lifecycle.seedsAveraged(run, epoch, SeedAverage.of(settings, outcomes.stream().map(CheckpointEvaluation.Outcome::record).toList()), anyNew);
        return run;
    }

    private static CheckpointEvaluation evaluation(TrialRun run) {
        ExperimentConfig c = run.config();
        return new CheckpointEvaluation(run.folder(), run.evaluator(), testFiles(c), c.training().batchSize(),
                SamplingSettings.slug(run.ownSampling()), run.legacyEvaluator());
    }

    /** The image keys in MLflow: grid_<test file> and progressive. */
    static String gridKey(String testName) {
        return "grid_" + testName.replaceAll("[^a-zA-Z0-9_\\-. ]", "_");
    }

    static final String PROGRESSIVE_KEY = "progressive";

    static List<ConditionFile> testFiles(ExperimentConfig c) {
        List<ConditionFile> files = new ArrayList<>();
        for (String name : c.dataset().testFiles()) {
            files.add(ConditionFile.resolve(name, Labels.builtin()));
        }
        return files;
    }
}
