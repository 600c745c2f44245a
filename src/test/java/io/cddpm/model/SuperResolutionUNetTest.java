package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ModelConfig;
import io.cddpm.config.ModelPreset;
import io.cddpm.core.Engines;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A cascade's super-resolution stage (issue 28): the UNet reading an upsampled low-resolution image and its noise level. */
class SuperResolutionUNetTest {
    private static ModelConfig small(int patchSize) {
        return new ModelConfig(ModelPreset.CUSTOM, List.of(16, 32), 1, List.of(false, true), 8, 8, 24, null, null, patchSize);
    }

    private static NDArray predict(ConditionalUNet unet, NDManager m, NDArray x, NDArray low, float level) {
        float[] labels = new float[2 * 24];
        labels[1] = 1;
        labels[24 + 9] = 1;
        return unet.predict(new ParameterStore(m, false), x, m.create(new float[] {10, 900}), m.create(labels, new Shape(2, 24)), low,
                m.create(new float[] {level, level}), false);
    }

    /** conv_in reads the sample's and the condition image's channels (times p^2); the output is an image of the sample's size. */
    @Test
    void readsTheConditionImageBesideTheSample() {
        Engines.pytorch();
        for (int p : new int[] {1, 2}) {
            try (NDManager m = NDManager.newBaseManager()) {
                UNetSpec spec = UNetSpec.of(small(p), 32).withConditionImage(3);
                ConditionalUNet unet = UNets.create(spec, m, 0);
                Map<String, NDArray> params = NamedParameters.arrays(unet);
                assertEquals(new Shape(16, 6 * p * p, 3, 3), params.get("conv_in.weight").getShape(), "p " + p);
                assertEquals(new Shape(3 * p * p, 16, 3, 3), params.get("conv_out.weight").getShape(), "p " + p);
                assertEquals(new Shape(64, 16), params.get("augmentation_embedding.linear_1.weight").getShape());
                assertEquals(new Shape(64, 64), params.get("augmentation_embedding.linear_2.weight").getShape());
                NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
                NDArray low = m.randomNormal(new Shape(2, 3, 32, 32));
                NDArray out = predict(unet, m, x, low, 100);
                assertEquals(new Shape(2, 3, 32, 32), out.getShape());
                for (float v : out.toFloatArray()) {
                    assertTrue(Float.isFinite(v), "p " + p + ": " + v);
                }
                // the condition image and its noise level both reach the output
                assertTrue(out.sub(predict(unet, m, x, low.neg(), 100)).abs().max().getFloat() > 1e-4, "condition image ignored");
                assertTrue(out.sub(predict(unet, m, x, low, 800)).abs().max().getFloat() > 1e-4, "augmentation level ignored");
            }
        }
    }

    /** Without a condition image the network is the one it always was: no augmentation embedding, conv_in on 3 p^2 channels. */
    @Test
    void aPlainNetworkIsUnchangedAndRefusesAConditionImage() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            ConditionalUNet plain = UNets.create(UNetSpec.of(small(1), 32), m, 0);
            Map<String, NDArray> params = NamedParameters.arrays(plain);
            assertFalse(params.keySet().stream().anyMatch(k -> k.startsWith("augmentation_embedding")));
            assertEquals(new Shape(16, 3, 3, 3), params.get("conv_in.weight").getShape());
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> predict(plain, m, x, x, 1));
            assertTrue(e.getMessage().contains("reads no condition image"), e.getMessage());
            ConditionalUNet sr = UNets.create(UNetSpec.of(small(1), 32).withConditionImage(3), m, 0);
            float[] labels = new float[2 * 24];
            e = assertThrows(IllegalArgumentException.class, () -> sr.predict(new ParameterStore(m, false), x, m.create(new float[] {1, 2}),
                    m.create(labels, new Shape(2, 24)), false));
            assertTrue(e.getMessage().contains("needs its condition image"), e.getMessage());
        }
    }
}
