package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.ModelConfig;
import io.cddpm.config.ModelPreset;
import io.cddpm.config.Precision;
import io.cddpm.core.Engines;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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

    /**
     * The 64x64 recipe (patch_size 2) has the 32x32 recipe's parameters, name for name and shape for
     * shape, except conv_in (3 x 4 input channels) and conv_out (3 x 4 outputs): 162 C0 + 9 more.
     */
    @Test
    void patchSize2At64HasTheParametersOfTheNetworkAt32ExceptTheFirstAndLastConv() {
        Engines.pytorch();
        ExperimentConfig at32 = ConfigLoader.load(Path.of("experiments/iclevr32.yaml"));
        ExperimentConfig at64 = ConfigLoader.load(Path.of("experiments/iclevr64.yaml"));
        assertEquals(1, at32.model().patchSize());
        assertEquals(64, at64.resolution());
        assertEquals(2, at64.model().patchSize());
        try (NDManager m = NDManager.newBaseManager()) {
            ConditionalUNet plain = UNets.create(UNetSpec.of(at32.model(), at32.resolution()), m, 0);
            ConditionalUNet patched = UNets.create(UNetSpec.of(at64.model(), at64.resolution()), m, 0);
            Map<String, NDArray> a = NamedParameters.arrays(plain);
            Map<String, NDArray> b = NamedParameters.arrays(patched);
            assertEquals(a.keySet(), b.keySet(), "the parameter names differ");
            Set<String> reshaped = new TreeSet<>();
            for (String name : a.keySet()) {
                if (!a.get(name).getShape().equals(b.get(name).getShape())) {
                    reshaped.add(name);
                }
            }
            assertEquals(Set.of("conv_in.weight", "conv_out.weight", "conv_out.bias"), reshaped);
            long c0 = at32.model().resolved().blockOutChannels().get(0);
            assertEquals(UNets.parameterCount(plain) + 162 * c0 + 9, UNets.parameterCount(patched));
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
