package io.cddpm.diffusion;

import io.cddpm.core.InvalidInputException;

/**
 * Everything a scheduler does follows from this config, with diffusers' DDPMScheduler/DDIMScheduler
 * defaults: T = 1000, linear betas 1e-4..0.02, epsilon prediction, clip_sample true (range 1.0),
 * "leading" timestep spacing with steps_offset 0, DDIM set_alpha_to_one true, fixed_small variance.
 */
public record SchedulerConfig(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        PredictionType predictionType,
        boolean clipSample,
        double clipSampleRange,
        int stepsOffset,
        boolean setAlphaToOne) {

    public SchedulerConfig {
        if (numTrainTimesteps <= 0) {
            throw new InvalidInputException("num_train_timesteps " + numTrainTimesteps + ": must be positive");
        }
        if (betaSchedule != BetaSchedule.SQUAREDCOS_CAP_V2 && !(betaStart > 0 && betaStart < betaEnd && betaEnd < 1)) {
            throw new InvalidInputException("beta_start " + betaStart + " / beta_end " + betaEnd
                    + ": need 0 < beta_start < beta_end < 1");
        }
        if (clipSampleRange <= 0) {
            throw new InvalidInputException("clip_sample_range " + clipSampleRange + ": must be positive");
        }
        if (stepsOffset < 0) {
            throw new InvalidInputException("steps_offset " + stepsOffset + ": must be >= 0");
        }
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(1000, 1e-4, 0.02, BetaSchedule.LINEAR, PredictionType.EPSILON, true, 1.0, 0, true);
    }

    public SchedulerConfig withPredictionType(PredictionType type) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, type, clipSample, clipSampleRange, stepsOffset, setAlphaToOne);
    }

    public SchedulerConfig withBetaSchedule(BetaSchedule schedule) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, schedule, predictionType, clipSample, clipSampleRange, stepsOffset, setAlphaToOne);
    }
}
