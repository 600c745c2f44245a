package io.cddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.Engines;
import io.cddpm.diffusion.PredictionType;
import io.cddpm.diffusion.SamplingLoop;
import io.cddpm.model.ConditionalUNet;
import io.cddpm.model.NamedParameters;
import io.cddpm.model.UNetSpec;
import io.cddpm.model.UNets;
import io.cddpm.optim.AdamW;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One training step on a tiny UNet, with each loss weighting (the per-sample reduction has no other unit test). */
class TrainStepTest {
    private static final int BATCH = 4;

    private static ExperimentConfig config(String... sets) {
        List<String> all = new ArrayList<>(List.of("resolution=8", "model.preset=custom", "model.block_out_channels=[8, 16]",
                "model.layers_per_block=1", "model.attention_levels=[false, false]", "model.norm_groups=4"));
        all.addAll(List.of(sets));
        return ConfigLoader.override(ExperimentConfig.defaults(), all);
    }

    /** The losses of {@code steps} consecutive steps from the same initial weights, data and seed. */
    private static double[] losses(ExperimentConfig config, int steps) {
        return train(config, steps, null);
    }

    /**
     * Trains {@code steps} steps (batch item b has the single label 5 b) and returns their losses;
     * {@code watch}, when given, receives the named parameters before the first step and after the last.
     */
    private static double[] train(ExperimentConfig config, int steps, java.util.function.Consumer<Map<String, NDArray>> watch) {
        Engines.pytorch();
        try (NDManager root = NDManager.newBaseManager()) {
            ConditionalUNet unet = UNets.create(UNetSpec.of(config.model(), config.resolution()), root, 0)
                    .usePrecision(config.training().precision(), "training.precision");
            Map<String, NDArray> params = NamedParameters.arrays(unet);
            AdamW adam = new AdamW(0.01);
            adam.init(params, root);
            Ema ema = new Ema(config.training().ema());
            ema.init(params, root);
            TrainStep step = new TrainStep(config, unet, params, adam, ema, new ParameterStore(root, false));
            if (watch != null) {
                watch.accept(params);
            }
            double[] out = new double[steps];
            for (int i = 0; i < steps; i++) {
                try (NDManager scope = root.newSubManager()) {
                    NDArray x = SamplingLoop.gaussian(scope, new Shape(BATCH, 3, 8, 8), new SplittableRandom(7)).clip(-1, 1);
                    float[] labels = new float[BATCH * 24];
                    for (int b = 0; b < BATCH; b++) {
                        labels[b * 24 + 5 * b] = 1;
                    }
                    out[i] = step.run(scope, x, scope.create(labels, new Shape(BATCH, 24)), i, 1e-3);
                }
            }
            if (watch != null) {
                watch.accept(params);
            }
            return out;
        }
    }

    /**
     * With cross_attention, a step moves the label tokens of the labels in the batch (0, 5, 10, 15),
     * and the others only by AdamW's decoupled weight decay (lr 1e-3 x 0.01): an absent label is a zero
     * token with no gradient. In fp32 and bf16.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fp32", "bf16"})
    void crossAttentionLearnsOnlyThePresentLabelsTokens(String precision) {
        List<float[]> seen = new ArrayList<>();
        double[] loss = train(config("model.conditioning=cross_attention", "training.cond_dropout=0",
                "training.precision=" + precision), 1, params -> seen.add(params.get("label_tokens").toFloatArray()));
        assertTrue(Double.isFinite(loss[0]) && loss[0] > 0, "loss " + loss[0]);
        float[] before = seen.get(0);
        float[] after = seen.get(1);
        int width = before.length / 24;
        for (int label = 0; label < 24; label++) {
            double moved = 0;
            double decayed = 0;
            for (int i = label * width; i < (label + 1) * width; i++) {
                moved = Math.max(moved, Math.abs(after[i] - before[i]));
                decayed = Math.max(decayed, Math.abs(after[i] - before[i] * (1 - 1e-3 * 0.01)));
            }
            if (label % 5 == 0 && label < 5 * BATCH) {
                assertTrue(moved > 1e-4, "label " + label + " is in the batch but its token moved only " + moved);
            } else {
                assertTrue(decayed < 1e-6, "label " + label + " is absent but its token moved " + moved);
            }
        }
    }

    /**
     * For epsilon, min_snr weighs a timestep by min(SNR, gamma) / SNR: with gamma above every SNR of the
     * schedule that is 1, so the weighted loss must equal the plain one (same weights, batch, seed).
     */
    @Test
    void minSnrAboveEverySnrIsPlainMseForEpsilon() {
        double plain = losses(config("diffusion.prediction_type=epsilon"), 1)[0];
        double weighted = losses(config("diffusion.prediction_type=epsilon", "training.loss_weighting=min_snr",
                "training.min_snr_gamma=1e12"), 1)[0];
        assertEquals(plain, weighted, 1e-5 * plain, "per-sample weights of 1 must give the plain MSE");
    }

    /** Min-SNR-gamma 5 trains with every prediction type, in fp32 and bf16: finite losses that differ from plain MSE. */
    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void minSnrTrainsEveryPredictionType(PredictionType type) {
        for (String precision : List.of("fp32", "bf16")) {
            String p = "diffusion.prediction_type=" + type.id();
            double[] weighted = losses(config(p, "training.loss_weighting=min_snr", "training.precision=" + precision), 2);
            double[] plain = losses(config(p, "training.precision=" + precision), 1);
            for (double loss : weighted) {
                assertTrue(Double.isFinite(loss) && loss > 0, type + " " + precision + ": loss " + loss);
            }
            assertNotEquals(plain[0], weighted[0], type + " " + precision + ": min_snr changed nothing");
        }
    }
}
