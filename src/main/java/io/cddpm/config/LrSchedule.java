package io.cddpm.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Learning-rate schedule after the linear warm-up. */
public enum LrSchedule {
    /** Cosine decay to zero over the remaining steps. */
    COSINE("cosine"),
    /** Constant after warm-up. */
    CONSTANT("constant");

    private final String id;

    LrSchedule(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static LrSchedule of(String id) {
        for (LrSchedule s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown lr_schedule '" + id + "' (valid: "
                + Arrays.stream(values()).map(LrSchedule::id).collect(Collectors.joining(", ")) + ")");
    }
}
