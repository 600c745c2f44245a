package io.cddpm.config;

import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.PredictionType;

/** The forward process and what the network predicts. */
public record DiffusionConfig(
        int trainTimesteps,
        BetaSchedule betaSchedule,
        double betaStart,
        double betaEnd,
        PredictionType predictionType,
        boolean clipSample,
        double clipSampleRange) {

    public static DiffusionConfig defaults() {
        return new DiffusionConfig(1000, BetaSchedule.LINEAR, 0.0001, 0.02, PredictionType.EPSILON, true, 1.0);
    }
}
