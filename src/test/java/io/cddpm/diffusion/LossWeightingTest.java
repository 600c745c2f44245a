package io.cddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LossWeightingTest {
    private static final double GAMMA = 5.0;

    @Test
    void noneWeighsEveryTimestepOne() {
        for (PredictionType type : PredictionType.values()) {
            assertEquals(1.0, LossWeighting.NONE.weight(0.3, type, GAMMA));
        }
    }

    @Test
    void minSnrCapsTheX0WeightAtGamma() {
        // alpha_bar 0.9 -> SNR 9 (capped at 5); alpha_bar 0.5 -> SNR 1 (kept)
        assertEquals(5.0, LossWeighting.MIN_SNR.weight(0.9, PredictionType.SAMPLE, GAMMA), 1e-12);
        assertEquals(1.0, LossWeighting.MIN_SNR.weight(0.5, PredictionType.SAMPLE, GAMMA), 1e-12);
        assertEquals(5.0 / 9.0, LossWeighting.MIN_SNR.weight(0.9, PredictionType.EPSILON, GAMMA), 1e-12);
        assertEquals(1.0, LossWeighting.MIN_SNR.weight(0.5, PredictionType.EPSILON, GAMMA), 1e-12);
        assertEquals(5.0 / 10.0, LossWeighting.MIN_SNR.weight(0.9, PredictionType.V_PREDICTION, GAMMA), 1e-12);
        assertEquals(1.0 / 2.0, LossWeighting.MIN_SNR.weight(0.5, PredictionType.V_PREDICTION, GAMMA), 1e-12);
    }

    @Test
    void theThreeFormsAreOneWeightOnTheX0Error() {
        // eps error = x0 error * SNR, v error = x0 error * (SNR + 1): each form must equal min(SNR, gamma) on x0
        for (double ab : new double[] {0.001, 0.2, 0.5, 0.83, 0.9999}) {
            double snr = ab / (1 - ab);
            double onX0 = Math.min(snr, GAMMA);
            assertEquals(onX0, LossWeighting.MIN_SNR.weight(ab, PredictionType.EPSILON, GAMMA) * snr, 1e-9 * Math.max(1, snr));
            assertEquals(onX0, LossWeighting.MIN_SNR.weight(ab, PredictionType.V_PREDICTION, GAMMA) * (snr + 1), 1e-9 * Math.max(1, snr));
            assertEquals(onX0, LossWeighting.MIN_SNR.weight(ab, PredictionType.SAMPLE, GAMMA), 1e-12);
        }
    }
}
