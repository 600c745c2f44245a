package io.cddpm.diffusion;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cddpm.core.EnumIds;
import java.util.SplittableRandom;

/**
 * How a training step draws each sample's timestep from 0..T-1.
 *
 * <p>{@code logit_normal} is the logit-normal timestep density of Esser et al., "Scaling Rectified
 * Flow Transformers for High-Resolution Image Synthesis" (Stable Diffusion 3, 2024): u = sigmoid(m +
 * s z) with z ~ N(0, 1), t = floor(u T). With m = 0 and s = 1 it puts the training samples in the
 * middle of the noise range (under the cosine schedule u = 1/2 is SNR 1), where the objects are
 * half visible and must be bound to their labels, and fewer at the two ends, where the sample is
 * nearly clean or nearly pure noise; m > 0 moves them towards noise.
 */
public enum TimestepSampling {
    /** Every timestep equally often (DDPM). */
    UNIFORM("uniform"),
    /** Logit-normal over t / T. */
    LOGIT_NORMAL("logit_normal");

    private final String id;

    TimestepSampling(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static TimestepSampling of(String id) {
        return EnumIds.byId(values(), TimestepSampling::id, id, "timestep_sampling");
    }

    /**
     * One timestep in [0, timesteps). UNIFORM consumes one {@code nextInt}, LOGIT_NORMAL one
     * {@code nextGaussian} of the generator.
     *
     * @param mean location m of the logit (LOGIT_NORMAL only)
     * @param std  scale s of the logit (LOGIT_NORMAL only)
     */
    public int draw(SplittableRandom random, int timesteps, double mean, double std) {
        if (this == UNIFORM) {
            return random.nextInt(timesteps);
        }
        double u = 1.0 / (1.0 + Math.exp(-(mean + std * random.nextGaussian())));
        return Math.min(timesteps - 1, (int) (u * timesteps));
    }
}
