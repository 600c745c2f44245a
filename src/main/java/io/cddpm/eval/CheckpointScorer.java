package io.cddpm.eval;

import ai.djl.ndarray.NDManager;
import io.cddpm.config.SamplingConfig;
import io.cddpm.data.ConditionFile;
import io.cddpm.sampling.ImageSampler;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classification stage for one checkpoint: draw one image per condition of each test file
 * with the given sampler settings, then score them with the evaluator (the official metric).
 */
public final class CheckpointScorer {
    private CheckpointScorer() {}

    /** Receives the images drawn for a test file (valid only during the call). */
    @FunctionalInterface
    public interface SampleSink {
        /** first: the first test file, whose samples also carry the progressive frames of its first condition. */
        void accept(ConditionFile file, ImageSampler.Samples samples, boolean first);
    }

    /** Test file name -> its score, in the order of {@code files}. */
    public static Map<String, Accuracy.Result> score(Path checkpoint, SamplingConfig sampling, List<ConditionFile> files,
            Evaluator evaluator, int batchSize) {
        return score(checkpoint, sampling, files, evaluator, batchSize, null);
    }

    /** As {@link #score(Path, SamplingConfig, List, Evaluator, int)}, handing every test file's images to sink (if not null) too. */
    public static Map<String, Accuracy.Result> score(Path checkpoint, SamplingConfig sampling, List<ConditionFile> files,
            Evaluator evaluator, int batchSize, SampleSink sink) {
        Map<String, Accuracy.Result> out = new LinkedHashMap<>();
        try (ImageSampler sampler = ImageSampler.fromCheckpoint(checkpoint, sampling.useEma())) {
            boolean first = true;
            for (ConditionFile file : files) {
                try (NDManager scope = NDManager.newBaseManager()) {
                    int every = sink != null && first ? sampler.progressiveInterval(sampling) : 0;
                    ImageSampler.Samples s = sampler.sample(file.multiHot(), sampling, batchSize, every, scope);
                    if (sink != null) {
                        sink.accept(file, s, first);
                    }
                    first = false;
                    out.put(file.name(), evaluator.score(s.images(), file.indices()));
                }
            }
        }
        return out;
    }

    /** Just the pooled accuracies: test file name -> accuracy. */
    public static Map<String, Double> accuracies(Map<String, Accuracy.Result> scores) {
        Map<String, Double> out = new LinkedHashMap<>();
        scores.forEach((name, r) -> out.put(name, r.accuracy()));
        return out;
    }
}
