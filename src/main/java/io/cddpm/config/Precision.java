package io.cddpm.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

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
        for (Precision p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + id + "' (valid: "
                + Arrays.stream(values()).map(Precision::id).collect(Collectors.joining(", ")) + ")");
    }
}
