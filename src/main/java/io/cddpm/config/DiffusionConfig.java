package io.cddpm.config;

import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.PredictionType;
import io.cddpm.diffusion.SchedulerConfig;

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

    /** The scheduler config of this section (diffusers' defaults for everything the YAML does not name). */
    public SchedulerConfig scheduler() {
        return new SchedulerConfig(trainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, clipSample, clipSampleRange, 0, true);
    }
}
