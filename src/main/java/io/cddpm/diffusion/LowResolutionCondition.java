package io.cddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The condition image of a cascade's super-resolution stage (Ho et al. 2021, "Cascaded Diffusion
 * Models"): the low-resolution image (in training: the clean image average-pooled by the stage's
 * factor; in sampling: the previous stage's sample) upsampled bilinearly to the stage's size and
 * noised to an augmentation level, a timestep s of the stage's schedule (q(z_s | up), s = 0 nearly
 * clean). Training draws s per image, so the stage learns to correct a low-resolution input that
 * is not exactly the data's; sampling uses one fixed s, which the network is told through its
 * augmentation embedding.
 */
public final class LowResolutionCondition {
    private final ForwardProcess forward;

    public LowResolutionCondition(NoiseSchedule schedule) {
        this.forward = new ForwardProcess(schedule);
    }

    /** Average pooling of x (B, C, H, W) by factor, to (B, C, H / factor, W / factor). */
    public static NDArray downsample(NDArray x, int factor) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        if (factor < 1 || h % factor != 0 || w % factor != 0) {
            throw new IllegalArgumentException("cannot pool " + s + " by " + factor);
        }
        // one axis at a time: DJL's PyTorch engine means over a single axis only
        try (NDArray blocks = x.reshape(b, c, h / factor, factor, w / factor, factor); NDArray rows = blocks.mean(new int[] {5})) {
            return rows.mean(new int[] {3});
        }
    }

    /** Bilinear upsampling of low (B, C, h, w) to (B, C, size, size) (align_corners false, as torch's). */
    public static NDArray upsample(NDArray low, int size) {
        return low.getNDArrayInternal().interpolation(new long[] {size, size}, 1, false);
    }

    /**
     * The condition image: low (B, C, h, w) upsampled to size and noised to each row's augmentation
     * level with the given noise (B, C, size, size).
     */
    public NDArray condition(NDArray low, int size, int[] levels, NDArray noise) {
        try (NDArray up = upsample(low, size)) {
            return forward.addNoise(up, noise, levels);
        }
    }
}
