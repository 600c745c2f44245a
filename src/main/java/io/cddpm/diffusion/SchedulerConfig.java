package io.cddpm.diffusion;

import io.cddpm.core.InvalidInputException;

/**
 * Everything a scheduler does follows from this config, with diffusers' DDPMScheduler/DDIMScheduler
 * defaults: T = 1000, linear betas 1e-4..0.02, epsilon prediction, clip_sample true (range 1.0),
 * "leading" timestep spacing with steps_offset 0, DDIM set_alpha_to_one true, fixed_small variance.
 *
 * <p>{@code logSnrShift} s moves every timestep's log-SNR by s ({@link NoiseSchedule}); 0, the
 * default, is diffusers' schedule exactly. "Simple diffusion" (Hoogeboom et al. 2023) uses s = 2
 * log(r_base / r) to give an image of side r the noise levels a side r_base image has.
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
        boolean setAlphaToOne,
        double logSnrShift) {

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
        if (!Double.isFinite(logSnrShift)) {
            throw new InvalidInputException("log-SNR shift " + logSnrShift + ": must be a finite number");
        }
    }

    /** diffusers' schedule as it is, without a log-SNR shift. */
    public SchedulerConfig(int numTrainTimesteps, double betaStart, double betaEnd, BetaSchedule betaSchedule,
            PredictionType predictionType, boolean clipSample, double clipSampleRange, int stepsOffset, boolean setAlphaToOne) {
        this(numTrainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, clipSample, clipSampleRange, stepsOffset, setAlphaToOne, 0.0);
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(1000, 1e-4, 0.02, BetaSchedule.LINEAR, PredictionType.EPSILON, true, 1.0, 0, true);
    }

    public SchedulerConfig withPredictionType(PredictionType type) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, type, clipSample, clipSampleRange, stepsOffset,
                setAlphaToOne, logSnrShift);
    }

    public SchedulerConfig withBetaSchedule(BetaSchedule schedule) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, schedule, predictionType, clipSample, clipSampleRange, stepsOffset,
                setAlphaToOne, logSnrShift);
    }

    /** This config with every timestep's log-SNR moved by {@code shift} (0: none). */
    public SchedulerConfig withLogSnrShift(double shift) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, clipSample, clipSampleRange, stepsOffset,
                setAlphaToOne, shift);
    }
}
