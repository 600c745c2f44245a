package io.cddpm.cli;

import io.cddpm.diffusion.SamplerKind;
import io.cddpm.diffusion.Samplers;
import java.util.Iterator;

/** The registered sampler ids, for the help texts' ${COMPLETION-CANDIDATES} (and shell completion). */
final class SamplerIds implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Samplers.ALL.stream().map(SamplerKind::id).iterator();
    }
}
