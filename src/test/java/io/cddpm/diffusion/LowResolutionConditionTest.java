package io.cddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Engines;
import org.junit.jupiter.api.Test;

/** The super-resolution stage's condition image: pooled, upsampled, noised to its augmentation level. */
class LowResolutionConditionTest {
    @Test
    void poolsEachBlockToItsMean() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(16f).reshape(1, 1, 4, 4);
            NDArray low = LowResolutionCondition.downsample(x, 2);
            assertEquals(new Shape(1, 1, 2, 2), low.getShape());
            assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, low.toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> LowResolutionCondition.downsample(m.zeros(new Shape(1, 1, 5, 5)), 2));
        }
    }

    @Test
    void aConstantImageStaysConstantUpAndDown() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray low = m.full(new Shape(2, 3, 8, 8), 0.25f);
            NDArray up = LowResolutionCondition.upsample(low, 16);
            assertEquals(new Shape(2, 3, 16, 16), up.getShape());
            for (float v : up.toFloatArray()) {
                assertEquals(0.25f, v, 1e-6);
            }
            assertArrayEquals(low.toFloatArray(), LowResolutionCondition.downsample(up, 2).toFloatArray(), 1e-6f);
        }
    }

    /** Level 0 leaves the upsampled image nearly clean, the last level is nearly all noise: q(z_s | up) of the schedule. */
    @Test
    void theAugmentationLevelIsATimestepOfTheSchedule() {
        Engines.pytorch();
        NoiseSchedule schedule = NoiseSchedule.of(SchedulerConfig.defaults().withBetaSchedule(BetaSchedule.SQUAREDCOS_CAP_V2));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray low = m.full(new Shape(2, 3, 8, 8), 0.5f);
            NDArray noise = m.full(new Shape(2, 3, 16, 16), -1f);
            float[] z = new LowResolutionCondition(schedule).condition(low, 16, new int[] {0, 999}, noise).toFloatArray();
            int half = z.length / 2;
            double a0 = Math.sqrt(schedule.alphaBar(0));
            double a1 = Math.sqrt(schedule.alphaBar(999));
            assertEquals(0.5 * a0 - Math.sqrt(1 - a0 * a0), z[0], 1e-5);
            assertEquals(0.5 * a1 - Math.sqrt(1 - a1 * a1), z[half], 1e-5);
            assertTrue(Math.abs(z[0] - 0.5) < 0.02 && Math.abs(z[half] + 1) < 0.02, z[0] + " " + z[half]);
        }
    }
}
