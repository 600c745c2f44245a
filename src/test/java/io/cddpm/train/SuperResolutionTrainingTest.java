package io.cddpm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ConfigHash;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
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

/** A cascade's super-resolution stage as a config and a training step (issue 28). */
class SuperResolutionTrainingTest {
    private static ExperimentConfig config(String... sets) {
        List<String> all = new ArrayList<>(List.of("resolution=16", "model.preset=custom", "model.block_out_channels=[8, 16]",
                "model.layers_per_block=1", "model.attention_levels=[false, false]", "model.norm_groups=4"));
        all.addAll(List.of(sets));
        return ConfigLoader.override(ExperimentConfig.defaults(), all);
    }

    private static double[] losses(ExperimentConfig config, int steps) {
        Engines.pytorch();
        try (NDManager root = NDManager.newBaseManager()) {
            ConditionalUNet unet = UNets.create(UNetSpec.of(config.model(), config.resolution()), root, 0);
            Map<String, NDArray> params = NamedParameters.arrays(unet);
            AdamW adam = new AdamW(0.01);
            adam.init(params, root);
            Ema ema = new Ema(config.training().ema());
            ema.init(params, root);
            TrainStep step = new TrainStep(config, unet, params, adam, ema, new ParameterStore(root, false));
            double[] out = new double[steps];
            for (int i = 0; i < steps; i++) {
                try (NDManager scope = root.newSubManager()) {
                    NDArray x = SamplingLoop.gaussian(scope, new Shape(4, 3, 16, 16), new SplittableRandom(7)).clip(-1, 1);
                    float[] labels = new float[4 * 24];
                    for (int b = 0; b < 4; b++) {
                        labels[b * 24 + 5 * b] = 1;
                    }
                    out[i] = step.run(scope, x, scope.create(labels, new Shape(4, 24)), i, 1e-3);
                }
            }
            return out;
        }
    }

    @Test
    void aSuperResolutionStageTrainsFromItsPooledBatchDeterministically() {
        ExperimentConfig sr = config("model.super_resolution.from=8", "sampling.base=base.ckpt");
        assertTrue(UNetSpec.of(sr.model(), 16).conditionedOnImage());
        double[] a = losses(sr, 3);
        assertArrayEquals(a, losses(sr, 3), "the same (seed, step): the same augmentation levels and noise");
        for (double l : a) {
            assertTrue(Double.isFinite(l) && l > 0, "loss " + l);
        }
        assertNotEquals(a[0], losses(config(), 1)[0], "the condition image reaches the loss");
    }

    @Test
    void aPlainConfigKeepsItsHashAndASuperResolutionStageHasItsOwn() {
        ExperimentConfig plain = config();
        assertEquals(ConfigHash.of(plain), ConfigHash.of(config("model.super_resolution.augmentation_max=100")),
                "without from, the section is what configs meant before it existed");
        assertTrue(!ConfigHash.canonicalJson(plain).contains("super_resolution"), ConfigHash.canonicalJson(plain));
        assertNotEquals(ConfigHash.of(plain), ConfigHash.of(config("model.super_resolution.from=8", "sampling.base=b")));
        assertNotEquals(ConfigHash.of(config("model.super_resolution.from=8", "sampling.base=b")),
                ConfigHash.of(config("model.super_resolution.from=8", "sampling.base=b", "model.super_resolution.augmentation_max=100")));
    }

    @Test
    void fromMustBeAPowerOfTwoFractionOfTheResolution() {
        for (String bad : List.of("16", "12", "4", "32")) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> config("model.super_resolution.from=" + bad));
            assertTrue(e.getMessage().contains("super_resolution.from") && e.getMessage().contains("power of two"), e.getMessage());
        }
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> config("model.super_resolution.from=8", "sampling.base=b", "model.super_resolution.augmentation_max=5000"));
        assertTrue(e.getMessage().contains("augmentation_max") && e.getMessage().contains("5000"), e.getMessage());
    }
}
