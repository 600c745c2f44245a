package io.cddpm.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cddpm.core.EnumIds;

/** Floating-point precision of training. */
public enum Precision {
    FP32("fp32"),
    BF16("bf16");

    private final String id;

    Precision(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static Precision of(String id) {
        return EnumIds.byId(values(), Precision::id, id, "precision");
    }
}
