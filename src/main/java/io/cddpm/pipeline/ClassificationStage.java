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
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.sampling.ImageSampler;
import io.cddpm.viz.ImageGrid;
import io.cddpm.viz.Images;
import io.cddpm.viz.ProgressiveStrip;
import java.awt.image.BufferedImage;
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
 * the final samples, and reports every evaluation to the {@link TrialLifecycle}.
 */
public final class ClassificationStage {
    private final PrintStream console;
    private final TrialLifecycle lifecycle;

    public ClassificationStage(PrintStream console, TrialLifecycle lifecycle) {
        this.console = console;
        this.lifecycle = lifecycle;
    }

    /** Finds or trains the evaluator before training starts, so a missing evaluator fails the trial early. */
    public TrialRun prepare(TrialRun run) {
        try (SharedInputs.Lock lock = SharedInputs.lock(Path.of(run.config().outputDir()), console)) {
            lifecycle.evaluatorChosen(run, EvaluatorWeights.resolve(run.config(), run.dataset(), console));
        }
        return run;
    }

    /** Checkpoint route: scores a checkpoint written during training. */
    public CheckpointEvent evaluateCheckpoint(CheckpointEvent event) {
        TrialRun run = event.run();
        ExperimentConfig c = run.config();
        Map<String, Path> pictures = new LinkedHashMap<>();
        try (Evaluator evaluator = Evaluator.load(run.evaluator())) {
            Map<String, Accuracy.Result> scores = CheckpointScorer.score(event.checkpoint(), c.sampling(), testFiles(c), evaluator,
                    c.training().batchSize(), (file, samples, first) -> pictures.putAll(keep(run, event.epoch(), file, samples, first)));
            lifecycle.evaluated(run, record(run, event.epoch(), event.checkpoint(), c.sampling(), scores));
        }
        lifecycle.picturesDrawn(run, event.epoch(), pictures);
        return event;
    }

    /** The grid of a test file's samples (and the progressive strip of the first) in the run folder's pictures of the epoch. */
    private static Map<String, Path> keep(TrialRun run, int epoch, ConditionFile file, ImageSampler.Samples s, boolean first) {
        Map<String, Path> out = new LinkedHashMap<>();
        Path grid = run.folder().grid(epoch, file.name());
        Images.writePng(ImageGrid.of(s.images()), grid);
        out.put(gridKey(file.name()), grid);
        if (first && !s.intermediates().isEmpty()) {
            List<BufferedImage> frames = s.intermediates().stream().map(a -> Images.fromTensor(a).get(0)).toList();
            Path strip = run.folder().progressive(epoch);
            Images.writePng(ProgressiveStrip.of(frames, ProgressiveStrip.labels(s.intermediateSteps())), strip);
            out.put(PROGRESSIVE_KEY, strip);
        }
        return out;
    }

    /** The image keys in MLflow: grid_<test file> and progressive. */
    static String gridKey(String testName) {
        return "grid_" + testName.replaceAll("[^a-zA-Z0-9_\\-. ]", "_");
    }

    static final String PROGRESSIVE_KEY = "progressive";

    /** Final evaluation: scores the samples the pictures stage drew from the final weights. */
    public TrialRun evaluateFinal(TrialRun run) {
        ExperimentConfig c = run.config();
        Map<String, Accuracy.Result> scores = new LinkedHashMap<>();
        try (Evaluator evaluator = Evaluator.load(run.evaluator()); NDManager manager = NDManager.newBaseManager()) {
            for (ConditionFile file : testFiles(c)) {
                try (InputStream in = Files.newInputStream(run.folder().samplesArray(file.name()))) {
                    NDArray images = NDList.decode(manager, in).get(0);
                    scores.put(file.name(), evaluator.score(images, file.indices()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lifecycle.evaluated(run, record(run, c.training().epochs(), run.lastCheckpoint(), c.sampling(), scores));
        Map<String, Path> pictures = new LinkedHashMap<>();
        for (ConditionFile file : testFiles(c)) {
            pictures.put(gridKey(file.name()), run.folder().grid(file.name()));
        }
        pictures.put(PROGRESSIVE_KEY, run.folder().progressive());
        lifecycle.picturesDrawn(run, c.training().epochs(), pictures);
        return run;
    }

    static List<ConditionFile> testFiles(ExperimentConfig c) {
        List<ConditionFile> files = new ArrayList<>();
        for (String name : c.dataset().testFiles()) {
            files.add(ConditionFile.resolve(name, Labels.builtin()));
        }
        return files;
    }

    static EvaluationRecord record(TrialRun run, int epoch, Path checkpoint, SamplingConfig s, Map<String, Accuracy.Result> scores) {
        return EvaluationRecord.of(epoch, run.folder().relative(checkpoint), s, CheckpointScorer.accuracies(scores), Instant.now().toString());
    }
}
