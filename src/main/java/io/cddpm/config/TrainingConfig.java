package io.cddpm.config;

import io.cddpm.diffusion.LossWeighting;
import io.cddpm.diffusion.TimestepSampling;

/**
 * Optimisation, checkpoints and evaluation cadence.
 *
 * @param lr              peak AdamW learning rate
 * @param warmupSteps     linear warm-up steps of the learning rate
 * @param gradClip        max global gradient norm; null = no clipping
 * @param condDropout     classifier-free guidance: probability that a condition becomes all zeros
 * @param checkpointEvery epochs between checkpoints (the last epoch is always checkpointed)
 * @param evaluateEvery   epochs between evaluations; a multiple of checkpointEvery (evaluations score checkpoints)
 * @param device          auto | cpu | gpu | gpu:N
 * @param limitImages     use only the first N training images (null = all)
 * @param lossWeighting   per-timestep weight of the MSE: none, or min_snr (Min-SNR-gamma)
 * @param minSnrGamma     gamma of min_snr weighting (Hang et al. 2023 use 5)
 * @param hflip           mirror each training image left-right with probability 1/2 (labels name no
 *                        positions, so a mirrored scene shows the same label set)
 * @param timestepSampling how each sample's timestep is drawn: uniform, or logit_normal (SD3)
 * @param logitMean       location of logit_normal's logit (0 centres it on the middle timestep)
 * @param logitStd        scale of logit_normal's logit
 */
public record TrainingConfig(
        int epochs,
        int batchSize,
        double lr,
        double weightDecay,
        int warmupSteps,
        LrSchedule lrSchedule,
        Double gradClip,
        EmaConfig ema,
        double condDropout,
        int checkpointEvery,
        int evaluateEvery,
        long seed,
        Precision precision,
        String device,
        Integer limitImages,
        LossWeighting lossWeighting,
        double minSnrGamma,
        boolean hflip,
        TimestepSampling timestepSampling,
        double logitMean,
        double logitStd) {

    public static TrainingConfig defaults() {
        return new TrainingConfig(120, 64, 1e-4, 0.01, 500, LrSchedule.COSINE, 1.0, EmaConfig.defaults(), 0.1, 5, 5, 0,
                Precision.FP32, "auto", null, LossWeighting.NONE, 5.0, false,
                TimestepSampling.UNIFORM, 0.0, 1.0);
    }

    private static final java.util.regex.Pattern DEVICE = java.util.regex.Pattern.compile("auto|cpu|gpu|gpu:\\d+");

    /** Whether text names a device: auto, cpu, gpu or gpu:N. */
    public static boolean isDevice(String text) {
        return text != null && DEVICE.matcher(text).matches();
    }
}
