package io.cddpm.config;

import io.cddpm.diffusion.SamplerKind;

/**
 * How images are drawn for evaluation and pictures.
 *
 * @param steps    DDIM steps (DDPM always uses {@code diffusion.train_timesteps})
 * @param eta      DDIM eta (0 = deterministic)
 * @param guidance classifier-free guidance weight w: eps = eps_u + w (eps_c - eps_u); 1 = plain conditional
 * @param useEma   sample from the EMA weights when there are any
 */
public record SamplingConfig(SamplerKind sampler, int steps, double eta, double guidance, long seed, boolean useEma) {
    public static SamplingConfig defaults() {
        return new SamplingConfig(SamplerKind.DDIM, 50, 0.0, 1.0, 0, true);
    }
}
