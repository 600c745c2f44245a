package io.cddpm.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.cddpm.core.Tensors;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.core.StopRequest;
import io.cddpm.data.ConditionFile;
import io.cddpm.eval.Evaluator;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.runs.RunFolder;
import io.cddpm.runs.SampleLayout;
import io.cddpm.sampling.ImageSampler;
import io.cddpm.viz.Images;
import io.cddpm.viz.LabelledGrid;
import io.cddpm.viz.ProgressiveStrip;
import io.cddpm.viz.SampleFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one evaluation operation of a trial, keyed by (checkpoint, sampling setting, evaluator, condition
 * file): draw the images, save them with their grid (and the progressive strip of the first condition),
 * score them with the evaluator (the course's metric), and record the row in evaluations.json. A key
 * recorded before is reused, not recomputed; images already saved for a checkpoint and setting are
 * scored again without sampling (a new evaluator costs no sampling). A failure (a broken evaluator, a
 * checkpoint that does not load, a full disk) is recorded as that evaluation failed, with its error,
 * and returned, not thrown: a stop request is the only exception that propagates. Mid-training,
 * final and scheduled evaluations all go through here; the caller reports outcomes to the tracker.
 */
final class CheckpointEvaluation implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointEvaluation.class);

    /**
     * What one call did.
     *
     * @param record   the row as recorded now (failed: see {@link EvaluationRecord#error()})
     * @param reused   true when everything was recorded before and nothing was computed
     * @param own      whether the setting is the trial's own (the one it was first scored with)
     * @param pictures the MLflow image key -> PNG of the grids and the progressive strip (none after a failure)
     */
    record Outcome(EvaluationRecord record, boolean reused, boolean own, Map<String, Path> pictures) {
        boolean failed() {
            return record.failed();
        }

        String setting() {
            return record.setting();
        }
    }

    private final RunFolder folder;
    private final Path evaluatorWeights;
    private final String evaluatorId;
    private final List<ConditionFile> files;
    private final int batchSize;
    private final String ownSetting;
    private final boolean legacyEvaluator;
    private Evaluator evaluator;

    /**
     * @param ownSetting      the short name of the trial's own sampling setting (its files are the run's results)
     * @param legacyEvaluator whether rows recorded before evaluators were named count as scored by this evaluator
     *                        (true when the trial's evaluation config is the one it was scored with then)
     */
    CheckpointEvaluation(RunFolder folder, Path evaluatorWeights, List<ConditionFile> files, int batchSize, String ownSetting,
            boolean legacyEvaluator) {
        this.folder = folder;
        this.evaluatorWeights = evaluatorWeights;
        this.evaluatorId = EvaluatorWeights.id(evaluatorWeights);
        this.files = List.copyOf(files);
        this.batchSize = batchSize;
        this.ownSetting = ownSetting;
        this.legacyEvaluator = legacyEvaluator;
    }

    /** The condition files whose score for this key is not recorded yet (all of them when nothing is). */
    List<ConditionFile> pending(Path checkpoint, SamplingConfig sampling) {
        return unscored(folder.findEvaluation(key(checkpoint, sampling), legacyEvaluator));
    }

    private List<ConditionFile> unscored(Optional<EvaluationRecord> done) {
        return files.stream().filter(f -> done.isEmpty() || !done.get().accuracy().containsKey(f.name())).toList();
    }

    private EvaluationRecord.Key key(Path checkpoint, SamplingConfig sampling) {
        return new EvaluationRecord.Key(folder.relative(checkpoint), SamplingSettings.slug(sampling), evaluatorId);
    }

    /**
     * Evaluates the checkpoint of an epoch under a sampling setting: reuses what is recorded, computes the
     * rest, records the row.
     *
     * @param fin whether this is the trial's final checkpoint (the own setting's files are then the run's results)
     */
    Outcome evaluate(int epoch, Path checkpoint, SamplingConfig sampling, boolean fin) {
        String setting = SamplingSettings.slug(sampling);
        boolean own = setting.equals(ownSetting);
        RunFolder.EvaluationFiles place = folder.evaluationFiles(epoch, setting, own, fin);
        EvaluationRecord.Key key = key(checkpoint, sampling);
        Optional<EvaluationRecord> done = folder.findEvaluation(key, legacyEvaluator);
        List<ConditionFile> pending = unscored(done);
        if (pending.isEmpty()) {
            return new Outcome(done.orElseThrow(), true, own, pictures(place, setting, own));
        }
        // a row of the time before evaluators were named is history: what is missing is scored under a row of its own
        EvaluationRecord base = done.filter(r -> r.evaluator() != null)
                .orElseGet(() -> EvaluationRecord.of(epoch, key.checkpoint(), sampling, evaluatorId, Map.of(), now()));
        if (base != done.orElse(null)) {
            pending = files;
        }
        EvaluationRecord record;
        Map<String, Path> pictures = Map.of();
        try {
            record = base.withScores(score(checkpoint, sampling, pending, place), now());
            pictures = pictures(place, setting, own);
        } catch (RuntimeException e) {
            if (StopRequest.isStop(e)) {
                throw e;
            }
            LOG.error("{}: evaluation of {} ({}) failed", folder.dir(), key.checkpoint(), setting, e);
            record = base.asFailed(firstLine(e), now());
        }
        folder.recordEvaluation(record);
        return new Outcome(record, false, own, pictures);
    }

    /** Samples (or reads the saved samples of) each pending file, saves them and their grid, and scores them. */
    private Map<String, Double> score(Path checkpoint, SamplingConfig sampling, List<ConditionFile> pending, RunFolder.EvaluationFiles place) {
        Map<String, Double> out = new LinkedHashMap<>();
        ImageSampler sampler = null;
        try {
            for (ConditionFile file : pending) {
                StopRequest.check();
                try (NDManager scope = NDManager.newBaseManager()) {
                    Path saved = place.samples(file.name()).resolve(SampleLayout.ARRAY);
                    NDArray images;
                    if (Files.isRegularFile(saved)) {
                        images = read(saved, scope);
                    } else {
                        if (sampler == null) {
                            sampler = ImageSampler.fromCheckpoint(checkpoint, sampling.useEma(), ModelCheckpoints.LOCATOR);
                        }
                        boolean first = file.equals(files.get(0));
                        ImageSampler.Samples s = sampler.sample(file.multiHot(), sampling, batchSize,
                                first ? sampler.progressiveInterval(sampling) : 0, scope);
                        images = s.images();
                        save(file, s, first, place);
                    }
                    out.put(file.name(), evaluator().score(images, file.indices()).accuracy());
                }
            }
            return out;
        } finally {
            if (sampler != null) {
                sampler.close();
            }
        }
    }

    private static void save(ConditionFile file, ImageSampler.Samples s, boolean first, RunFolder.EvaluationFiles place) {
        try {
            Images.writePng(LabelledGrid.of(s.images(), file.conditions()), place.grid(file.name()));
            if (first && !s.intermediates().isEmpty()) {
                ProgressiveStrip.write(s.intermediates(), s.intermediateSteps(), file.conditions().get(0), place.progressive());
            }
            // the array last: its presence says the file's samples are complete
            SampleFiles.write(s.images(), file.conditions(), place.samples(file.name()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the samples of " + file.name() + " in " + place.dir(), e);
        }
    }

    private static NDArray read(Path npz, NDManager manager) {
        try (InputStream in = Files.newInputStream(npz)) {
            return Tensors.decoded(manager, in).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + npz, e);
        }
    }

    private Evaluator evaluator() {
        if (evaluator == null) {
            evaluator = Evaluator.load(evaluatorWeights);
        }
        return evaluator;
    }

    /** The grids and progressive strip of an evaluation, by their MLflow image keys: grid_TEST[_SETTING], progressive[_SETTING]. */
    private Map<String, Path> pictures(RunFolder.EvaluationFiles place, String setting, boolean own) {
        String suffix = own ? "" : "_" + setting;
        Map<String, Path> out = new LinkedHashMap<>();
        for (ConditionFile f : files) {
            if (Files.isRegularFile(place.grid(f.name()))) {
                out.put(ClassificationStage.gridKey(f.name()) + suffix, place.grid(f.name()));
            }
        }
        if (Files.isRegularFile(place.progressive())) {
            out.put(ClassificationStage.PROGRESSIVE_KEY + suffix, place.progressive());
        }
        return out;
    }

    private static String now() {
        return Instant.now().toString();
    }

    private static String firstLine(Throwable e) {
        String text = e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    @Override
    public void close() {
        if (evaluator != null) {
            evaluator.close();
            evaluator = null;
        }
    }
}
