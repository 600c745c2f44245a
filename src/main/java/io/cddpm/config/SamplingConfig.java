package io.cddpm.config;

import io.cddpm.diffusion.DdimScheduler;
import io.cddpm.diffusion.SamplerKind;

/**
 * How images are drawn for evaluation and pictures.
 *
 * @param sampler  one of {@link io.cddpm.diffusion.Samplers#ALL}, written as its id ({@code ddim})
 * @param steps    denoising steps, for samplers that take them (DDPM always uses {@code diffusion.train_timesteps})
 * @param eta      DDIM eta (0 = deterministic); samplers that take no eta ignore it
 * @param guidance classifier-free guidance weight w: eps = eps_u + w (eps_c - eps_u); 1 = plain conditional
 * @param objectGuidance per-object guidance weight v, added to the above: v * sum_i (eps_c - eps_{c without label i}),
 *                 i.e. each label of the set guided against the same set without it; 0 = off (one forward pass fewer
 *                 per label)
 * @param useEma   sample from the EMA weights when there are any
 */
public record SamplingConfig(SamplerKind sampler, int steps, double eta, double guidance, double objectGuidance, long seed, boolean useEma) {
    /** The sampler's YAML id ({@code ddim}, {@code ddpm}, ...). */
    public String samplerId() {
        return sampler.id();
    }

    /** The denoising steps this sampler runs: its own for samplers that take steps, every training timestep for DDPM. */
    public int denoisingSteps(int trainTimesteps) {
        return sampler.denoisingSteps(steps, trainTimesteps);
    }

    /** How the images were drawn, for a log line: sampler, steps run, eta (when the sampler has one), guidance, object guidance (when on), seed. */
    public String describe(int denoisingSteps) {
        return sampler.id() + ", " + denoisingSteps + " steps" + (sampler.takesEta() ? String.format(", eta %.2f", eta) : "")
                + String.format(", guidance %.2f", guidance) + (objectGuidance != 0 ? String.format(", object guidance %.2f", objectGuidance) : "")
                + ", seed " + seed;
    }

    public static SamplingConfig defaults() {
        return new SamplingConfig(DdimScheduler.KIND, 50, 0.0, 1.0, 0.0, 0, true);
    }
}
