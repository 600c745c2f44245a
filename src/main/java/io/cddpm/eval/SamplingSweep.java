package io.cddpm.eval;

import io.cddpm.sampling.ModelLocator;
import ai.djl.ndarray.NDManager;
import io.cddpm.config.SamplingConfig;
import io.cddpm.data.ConditionFile;
import io.cddpm.sampling.ImageSampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Accuracy against sampling cost for one checkpoint: for each sampler setting (sampler, steps,
 * guidance weight, seed), draw one image per condition of every condition file, time the drawing
 * and score the images. The model is loaded once; no retraining is needed to compare guidance weights.
 */
public final class SamplingSweep {
    /**
     * One scored setting.
     *
     * @param accuracy      condition file name -> the course's accuracy
     * @param secondsPer32  wall time to draw 32 images with this setting (mean over the files)
     */
    public record Row(SamplingConfig sampling, int denoisingSteps, Map<String, Double> accuracy, double secondsPer32) {
        public double meanAccuracy() {
            return accuracy.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    private SamplingSweep() {}

    /** Scores every setting in order, handing each row to onRow as soon as it is done. */
    public static List<Row> run(Path checkpoint, List<SamplingConfig> settings, List<ConditionFile> files, Evaluator evaluator,
            int batchSize, Consumer<Row> onRow) {
        return run(checkpoint, settings, files, evaluator, batchSize, onRow, ModelLocator.FILES);
    }

    /** {@link #run(Path, List, List, Evaluator, int, Consumer)}; locator finds a cascade's base models. */
    public static List<Row> run(Path checkpoint, List<SamplingConfig> settings, List<ConditionFile> files, Evaluator evaluator,
            int batchSize, Consumer<Row> onRow, ModelLocator locator) {
        List<Row> rows = new ArrayList<>();
        boolean useEma = settings.isEmpty() || settings.get(0).useEma();
        try (ImageSampler sampler = ImageSampler.fromCheckpoint(checkpoint, useEma, locator)) {
            for (SamplingConfig s : settings) {
                Map<String, Double> accuracy = new LinkedHashMap<>();
                double seconds = 0;
                int images = 0;
                for (ConditionFile file : files) {
                    try (NDManager scope = NDManager.newBaseManager()) {
                        long start = System.nanoTime();
                        ImageSampler.Samples drawn = sampler.sample(file.multiHot(), s, batchSize, 0, scope);
                        seconds += (System.nanoTime() - start) / 1e9;
                        images += file.size();
                        accuracy.put(file.name(), evaluator.score(drawn.images(), file.indices()).accuracy());
                    }
                }
                Row row = new Row(s, sampler.denoisingSteps(s), accuracy, seconds * 32.0 / Math.max(1, images));
                rows.add(row);
                onRow.accept(row);
            }
        }
        return rows;
    }
}
