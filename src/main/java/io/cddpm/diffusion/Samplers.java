package io.cddpm.diffusion;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The registered samplers. Adding one takes its scheduler class (with its {@link SamplerKind}) and
 * one line here; configs, the command line, validation, descriptions and evaluation records follow.
 */
public final class Samplers {
    private Samplers() {}

    /** Every sampler, in the order help texts and error messages list them. */
    public static final List<SamplerKind> ALL = List.of(
            DdpmScheduler.KIND,
            DdimScheduler.KIND,
            DpmSolverMultistepScheduler.KIND);

    /** The sampler with this id; otherwise IllegalArgumentException "unknown sampler 'ID' (valid: ddpm, ddim, ...)". */
    public static SamplerKind byId(String id) {
        for (SamplerKind s : ALL) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown sampler '" + id + "' (valid: " + ids() + ")");
    }

    /** The ids, comma-separated ("ddpm, ddim, dpmpp_2m"). */
    public static String ids() {
        return ALL.stream().map(SamplerKind::id).collect(Collectors.joining(", "));
    }
}
