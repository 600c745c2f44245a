package io.cddpm.config;

import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.PredictionType;
import io.cddpm.diffusion.SchedulerConfig;

/**
 * The forward process and what the network predicts.
 *
 * @param snrShiftResolution the resolution r_base whose noise levels the schedule gives this
 *                           experiment's images (null = none, the schedule as diffusers has it):
 *                           every timestep's log-SNR moves by 2 log(r_base / resolution) ("simple
 *                           diffusion", Hoogeboom et al. 2023). Averaging 2x2 pixels divides the
 *                           noise's variance by 4, so a noisy 64x64 image averaged down to 32x32 has
 *                           4x the SNR of a 32x32 image at the same step; with r_base 32 the 64x64
 *                           schedule divides every step's SNR by 4, and that coarse view is as noisy
 *                           as the 32x32 image was.
 */
public record DiffusionConfig(
        int trainTimesteps,
        BetaSchedule betaSchedule,
        double betaStart,
        double betaEnd,
        PredictionType predictionType,
        boolean clipSample,
        double clipSampleRange,
        Integer snrShiftResolution) {

    public static DiffusionConfig defaults() {
        return new DiffusionConfig(1000, BetaSchedule.LINEAR, 0.0001, 0.02, PredictionType.EPSILON, true, 1.0, null);
    }

    /**
     * The scheduler config of this section for images of side {@code resolution} (diffusers' defaults
     * for everything the YAML does not name, and the log-SNR shift of snr_shift_resolution).
     */
    public SchedulerConfig scheduler(int resolution) {
        double shift = logSnrShift(snrShiftResolution, resolution);
        return new SchedulerConfig(trainTimesteps, betaStart, betaEnd, betaSchedule, predictionType, clipSample, clipSampleRange, 0, true, shift);
    }

    /**
     * "Simple diffusion"'s shift of every log-SNR for images of side {@code resolution} whose noise levels
     * should match those of side {@code base}: 2 log(base / resolution) (0 when base is null).
     */
    public static double logSnrShift(Integer base, int resolution) {
        return base == null ? 0.0 : 2 * Math.log((double) base / resolution);
    }
}
