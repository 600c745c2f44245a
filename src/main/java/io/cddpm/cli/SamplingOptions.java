package io.cddpm.cli;

import io.cddpm.config.SamplingConfig;
import io.cddpm.core.InvalidInputException;
import io.cddpm.diffusion.SamplerKind;
import picocli.CommandLine.Option;

/** The sampler options shared by {@code sample} and {@code evaluate --checkpoint}; unset ones keep the checkpoint config's. */
public final class SamplingOptions {
    @Option(names = "--sampler", description = "ddpm or ddim (default: the checkpoint config's sampling.sampler).")
    SamplerKind sampler;

    @Option(names = "--steps", description = "DDIM steps (default: the config's sampling.steps).")
    Integer steps;

    @Option(names = "--eta", description = "DDIM eta (default: the config's).")
    Double eta;

    @Option(names = "--guidance", description = "Classifier-free guidance weight w (1 = plain conditional; default: the config's).")
    Double guidance;

    @Option(names = "--seed", description = "Sampling seed (default: the config's).")
    Long seed;

    @Option(names = "--batch", defaultValue = "64", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--no-ema", description = "Use the raw weights instead of the EMA weights.")
    boolean noEma;

    /** The checkpoint config's sampling settings with the given options applied; validates them. */
    SamplingConfig over(SamplingConfig base) {
        if (batch <= 0) {
            throw new InvalidInputException("--batch " + batch + ": must be positive");
        }
        if (steps != null && steps <= 0) {
            throw new InvalidInputException("--steps " + steps + ": must be positive");
        }
        return new SamplingConfig(
                sampler != null ? sampler : base.sampler(),
                steps != null ? steps : base.steps(),
                eta != null ? eta : base.eta(),
                guidance != null ? guidance : base.guidance(),
                seed != null ? seed : base.seed(),
                !noEma && base.useEma());
    }

    int batch() {
        return batch;
    }
}
