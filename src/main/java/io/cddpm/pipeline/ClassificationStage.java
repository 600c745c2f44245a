package io.cddpm.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.Labels;
import io.cddpm.eval.Accuracy;
import io.cddpm.eval.CheckpointScorer;
import io.cddpm.eval.Evaluator;
import io.cddpm.viz.EvaluationRecord;
import io.cddpm.viz.RunFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classification stage (bean {@code classification}): provides the trial's evaluator, scores
 * checkpoints during training (sample each test file, run the evaluator, the official metric) and
 * the final samples, and records every evaluation in the trial's evaluations.json and in MLflow
 * ({@code accuracy_<test file>} at step = epoch).
 */
public final class ClassificationStage {
    private final PrintStream console;
    private final TrialTracking tracking;

    public ClassificationStage(PrintStream console, TrialTracking tracking) {
        this.console = console;
        this.tracking = tracking;
    }

    /** Finds or trains the evaluator before training starts, so a missing evaluator fails the trial early. */
    public TrialRun prepare(TrialRun run) {
        EvaluatorWeights.Resolved r = EvaluatorWeights.resolve(run.trial().config(), run.dataset(), console);
        run.evaluator(r.weights());
        tracking.evaluator(run, r);
        return run;
    }

    /** Checkpoint route: scores a checkpoint written during training. */
    public CheckpointEvent evaluateCheckpoint(CheckpointEvent event) {
        TrialRun run = event.run();
        ExperimentConfig c = run.trial().config();
        try (Evaluator evaluator = Evaluator.load(run.evaluator())) {
            Map<String, Accuracy.Result> scores = CheckpointScorer.score(event.checkpoint(), c.sampling(), testFiles(c), evaluator,
                    c.training().batchSize());
            record(run, event.epoch(), event.checkpoint(), c.sampling(), scores);
        }
        return event;
    }

    /** Final evaluation: scores the samples the pictures stage drew from the final weights. */
    public TrialRun evaluateFinal(TrialRun run) {
        ExperimentConfig c = run.trial().config();
        Map<String, Accuracy.Result> scores = new LinkedHashMap<>();
        try (Evaluator evaluator = Evaluator.load(run.evaluator()); NDManager manager = NDManager.newBaseManager()) {
            for (ConditionFile file : testFiles(c)) {
                Path npz = run.runDir().resolve("samples").resolve(file.name()).resolve("images.npz");
                try (InputStream in = Files.newInputStream(npz)) {
                    NDArray images = NDList.decode(manager, in).get(0);
                    scores.put(file.name(), evaluator.score(images, file.indices()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        record(run, c.training().epochs(), run.lastCheckpoint(), c.sampling(), scores);
        return run;
    }

    static List<ConditionFile> testFiles(ExperimentConfig c) {
        List<ConditionFile> files = new ArrayList<>();
        for (String name : c.dataset().testFiles()) {
            files.add(ConditionFile.resolve(name, Labels.builtin()));
        }
        return files;
    }

    private void record(TrialRun run, int epoch, Path checkpoint, SamplingConfig s, Map<String, Accuracy.Result> scores) {
        Map<String, Double> acc = CheckpointScorer.accuracies(scores);
        Path file = run.runDir().resolve(RunFiles.EVALUATIONS);
        List<EvaluationRecord> all = new ArrayList<>(Files.isRegularFile(file) ? RunFiles.evaluations(file) : List.of());
        all.removeIf(r -> r.epoch() == epoch);
        all.add(new EvaluationRecord(epoch, run.runDir().relativize(checkpoint).toString(), s.sampler().id(), s.steps(), s.guidance(), acc,
                Instant.now().toString()));
        all.sort(java.util.Comparator.comparingInt(EvaluationRecord::epoch));
        RunFiles.writeEvaluations(file, all);
        tracking.accuracy(run, epoch, acc);
        StringBuilder line = new StringBuilder(run.describe() + ": epoch " + epoch + " accuracy");
        acc.forEach((name, a) -> line.append(String.format(" %s %.4f", name, a)));
        console.println(line);
    }
}
