package io.cddpm.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cddpm.core.EnumIds;

/**
 * How the UNet sees the label set. {@code add}: the reference solution's Linear(num_classes,
 * time_embed_dim) of the multi-hot, added to the time embedding, so every layer gets one vector for
 * the whole scene. {@code cross_attention}: that, plus one learned token per label, masked by the
 * multi-hot, that every attention block's positions attend to (as text tokens in Stable Diffusion),
 * so a region of the image can take one object's identity rather than the sum of all of them.
 */
public enum Conditioning {
    ADD("add"),
    CROSS_ATTENTION("cross_attention");

    private final String id;

    Conditioning(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static Conditioning of(String id) {
        return EnumIds.byId(values(), Conditioning::id, id, "conditioning");
    }
}
