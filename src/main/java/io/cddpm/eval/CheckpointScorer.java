package io.cddpm.eval;

import io.cddpm.sampling.ModelLocator;
import ai.djl.ndarray.NDManager;
import io.cddpm.config.SamplingConfig;
import io.cddpm.data.ConditionFile;
import io.cddpm.sampling.ImageSampler;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a checkpoint outside any run folder ({@code cddpm evaluate --checkpoint}): draw one image per
 * condition of each test file with the given sampler settings, then score them with the evaluator (the
 * official metric). Nothing is saved or recorded; a trial's evaluations go through the pipeline's
 * evaluation operation instead, which keeps images and records every result.
 */
public final class CheckpointScorer {
    private CheckpointScorer() {}

    /** Test file name -> its score, in the order of {@code files}. */
    public static Map<String, Accuracy.Result> score(Path checkpoint, SamplingConfig sampling, List<ConditionFile> files,
            Evaluator evaluator, int batchSize) {
        return score(checkpoint, sampling, files, evaluator, batchSize, ModelLocator.FILES);
    }

    /** {@link #score(Path, SamplingConfig, List, Evaluator, int)}; locator finds a cascade's base models. */
    public static Map<String, Accuracy.Result> score(Path checkpoint, SamplingConfig sampling, List<ConditionFile> files,
            Evaluator evaluator, int batchSize, ModelLocator locator) {
        Map<String, Accuracy.Result> out = new LinkedHashMap<>();
        try (ImageSampler sampler = ImageSampler.fromCheckpoint(checkpoint, sampling.useEma(), locator)) {
            for (ConditionFile file : files) {
                try (NDManager scope = NDManager.newBaseManager()) {
                    ImageSampler.Samples s = sampler.sample(file.multiHot(), sampling, batchSize, 0, scope);
                    out.put(file.name(), evaluator.score(s.images(), file.indices()));
                }
            }
        }
        return out;
    }
}
