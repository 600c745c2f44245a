package io.cddpm.cli;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.core.InvalidInputException;
import io.cddpm.diffusion.SamplerKind;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The sampler options shared by {@code sample} and {@code evaluate --checkpoint}; unset ones keep the checkpoint config's. */
public final class SamplingOptions {
    @Option(names = "--sampler", completionCandidates = SamplerIds.class,
            description = "One of ${COMPLETION-CANDIDATES} (default: the checkpoint config's sampling.sampler).")
    SamplerKind sampler;

    @Option(names = "--steps", description = "Denoising steps, for samplers that take a step count (ddpm runs every train timestep;"
            + " default: the config's sampling.steps).")
    Integer steps;

    @Option(names = "--eta", description = "DDIM eta (samplers without one ignore it; default: the config's).")
    Double eta;

    @Option(names = "--guidance", description = "Classifier-free guidance weight w (1 = plain conditional; default: the config's).")
    Double guidance;

    @Option(names = "--object-guidance", description = "Per-object guidance weight v (0 = off; default: the config's sampling.object_guidance).")
    Double objectGuidance;

    @Option(names = "--seed", description = "Sampling seed (default: the config's).")
    Long seed;

    @Option(names = "--base", description = "For a cascade's super-resolution stage: the base model that draws the low-resolution"
            + " images first (checkpoint, package folder, shipped name or models:/NAME/VERSION; default: the config's sampling.base).")
    String baseModel;

    @Option(names = "--augmentation", description = "For a super-resolution stage: the noise level (a timestep) added to the base"
            + " model's upsampled images (default: the config's sampling.augmentation).")
    Integer augmentation;

    @Option(names = "--batch", defaultValue = "64", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--no-ema", description = "Use the raw weights instead of the EMA weights.")
    boolean noEma;

    /**
     * The checkpoint config's sampling settings with the given options applied, validated by the
     * config's own sampling checks (a NaN, infinite or out-of-range --guidance or --eta used to
     * sample all-NaN images and exit 0); errors name the option and its value.
     */
    SamplingConfig over(ExperimentConfig base) {
        checkBatch();
        SamplingConfig b = base.sampling();
        SamplingConfig chosen = new SamplingConfig(
                sampler != null ? sampler : b.sampler(),
                steps != null ? steps : b.steps(),
                eta != null ? eta : b.eta(),
                guidance != null ? guidance : b.guidance(),
                objectGuidance != null ? objectGuidance : b.objectGuidance(),
                seed != null ? seed : b.seed(),
                !noEma && b.useEma(),
                baseModel != null ? baseModel : b.base(),
                augmentation != null ? augmentation : b.augmentation());
        try {
            return ConfigLoader.withSampling(base, chosen).sampling();
        } catch (InvalidInputException e) {
            throw named(e);
        }
    }

    /** The config's error ("... key 'sampling.eta': must be in [0, 1] (got NaN)") told in terms of the option given. */
    private InvalidInputException named(InvalidInputException e) {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("steps", steps);
        given.put("eta", eta);
        given.put("guidance", guidance);
        given.put("object_guidance", objectGuidance);
        given.put("sampler", sampler);
        given.put("base", baseModel);
        given.put("augmentation", augmentation);
        String m = e.getMessage();
        for (Map.Entry<String, Object> g : given.entrySet()) {
            String marker = "key 'sampling." + g.getKey() + "': ";
            int at = m.indexOf(marker);
            if (at >= 0 && g.getValue() != null) {
                return new InvalidInputException("--" + g.getKey().replace('_', '-') + " " + g.getValue() + ": " + m.substring(at + marker.length())
                        + " (as sampling." + g.getKey() + " in a config)", e);
            }
        }
        return e;
    }

    /** --batch within its bounds: checked before anything is loaded. */
    void checkBatch() {
        if (batch <= 0 || batch > io.cddpm.core.Limits.MAX_SAMPLING_BATCH) {
            throw new InvalidInputException("--batch " + batch + ": must be between 1 and " + io.cddpm.core.Limits.MAX_SAMPLING_BATCH);
        }
    }

    int batch() {
        return batch;
    }
}
