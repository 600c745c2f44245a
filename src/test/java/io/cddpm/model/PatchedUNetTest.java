package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ModelConfig;
import io.cddpm.config.ModelPreset;
import io.cddpm.config.Precision;
import io.cddpm.core.Engines;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A UNet on p x p patches: images in and out at full size, and the parameters of the network at 1/p of the side. */
class PatchedUNetTest {

    private static ModelConfig small(int patchSize) {
        return new ModelConfig(ModelPreset.CUSTOM, List.of(16, 32), 1, List.of(false, true), 8, 8, 24, null, null, patchSize);
    }

    /** (B, 3, 64, 64) in, (B, 3, 64, 64) out, finite, in fp32 and bf16, with the network proper at 32x32 (p 2) or 16x16 (p 4). */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void aPatchedUNetMapsImagesToImagesOfTheSameSize(Precision precision) {
        Engines.pytorch();
        for (int p : new int[] {2, 4}) {
            try (NDManager m = NDManager.newBaseManager()) {
                ConditionalUNet unet = UNets.create(UNetSpec.of(small(p), 64), m, 0).usePrecision(precision, "training.precision");
                assertEquals(new Shape(16, 3 * p * p, 3, 3), NamedParameters.arrays(unet).get("conv_in.weight").getShape());
                assertEquals(new Shape(3 * p * p, 16, 3, 3), NamedParameters.arrays(unet).get("conv_out.weight").getShape());
                NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
                float[] labels = new float[2 * 24];
                labels[1] = 1;
                NDArray out = unet.predict(new ParameterStore(m, false), x, m.create(new float[] {10, 900}),
                        m.create(labels, new Shape(2, 24)), false);
                assertEquals(new Shape(2, 3, 64, 64), out.getShape(), "p " + p);
                for (float v : out.toFloatArray()) {
                    assertTrue(Float.isFinite(v), "p " + p + ": output " + v);
                }
            }
        }
    }

    @Test
    void theSpecRefusesPatchesThatDoNotFit() {
        assertThrows(IllegalArgumentException.class, () -> UNetSpec.of(small(3), 48));
        assertThrows(IllegalArgumentException.class, () -> UNetSpec.of(small(4), 36)); // 36 / 4 = 9 cannot be halved
        assertEquals(32, UNetSpec.of(small(2), 64).patchedSize());
        assertEquals(12, UNetSpec.of(small(2), 64).patchedChannels());
    }
}
