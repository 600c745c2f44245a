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
            return out;
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
