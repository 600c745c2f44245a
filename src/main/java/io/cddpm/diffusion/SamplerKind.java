package io.cddpm.diffusion;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cddpm.core.EnumIds;

/** The reverse-process sampler. */
public enum SamplerKind {
    DDPM("ddpm"),
    DDIM("ddim");

    private final String id;

    SamplerKind(String id) {
        this.id = id;
    }

    /** The lowercase id used in configs, checkpoints and on the command line (as diffusers names it). */
    @JsonValue
    public String id() {
        return id;
    }

    /** The constant with this id; IllegalArgumentException listing the valid ids otherwise. */
    @JsonCreator
    public static SamplerKind of(String id) {
        return EnumIds.byId(values(), SamplerKind::id, id, "sampler");
    }

    @Override
    public String toString() {
        return id;
    }
}
