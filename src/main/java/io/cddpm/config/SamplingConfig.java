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
 * @param base     for a cascade's super-resolution stage ({@code model.super_resolution.from} set): the model that draws
 *                 the low-resolution images first, with its own sampling setting and this seed (a checkpoint, a model
 *                 package folder, a shipped model's name or {@code models:/NAME/VERSION}); null for a plain model
 * @param augmentation for a super-resolution stage: the timestep of the stage's schedule to which the base model's
 *                 upsampled images are noised before the stage reads them (0 = as drawn); 0 for a plain model
 */
public record SamplingConfig(SamplerKind sampler, int steps, double eta, double guidance, double objectGuidance, long seed, boolean useEma,
        String base, int augmentation) {
    /** A setting for a plain (single-stage) model. */
    public SamplingConfig(SamplerKind sampler, int steps, double eta, double guidance, double objectGuidance, long seed, boolean useEma) {
        this(sampler, steps, eta, guidance, objectGuidance, seed, useEma, null, 0);
    }

    /** This setting with another seed. */
    public SamplingConfig withSeed(long newSeed) {
        return new SamplingConfig(sampler, steps, eta, guidance, objectGuidance, newSeed, useEma, base, augmentation);
    }

    /** Whether this draws through a base model first (a cascade's super-resolution stage). */
    public boolean cascaded() {
        return base != null;
    }

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
                + ", seed " + seed + (base != null ? ", after " + base + " (augmentation " + augmentation + ")" : "");
    }

    public static SamplingConfig defaults() {
        return new SamplingConfig(DdimScheduler.KIND, 50, 0.0, 1.0, 0.0, 0, true);
    }
}
