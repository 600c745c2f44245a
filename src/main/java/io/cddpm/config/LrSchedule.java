package io.cddpm.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cddpm.core.EnumIds;

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
        return EnumIds.byId(values(), LrSchedule::id, id, "lr_schedule");
    }
}
