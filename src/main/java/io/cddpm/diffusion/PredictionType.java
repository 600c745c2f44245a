package io.cddpm.diffusion;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** What the network predicts (diffusers' prediction_type). */
public enum PredictionType {
    EPSILON("epsilon"),
    SAMPLE("sample"),
    V_PREDICTION("v_prediction");

    private final String id;

    PredictionType(String id) {
        this.id = id;
    }

    /** The lowercase id used in configs, checkpoints and on the command line (as diffusers names it). */
    @JsonValue
    public String id() {
        return id;
    }

    /** The constant with this id; IllegalArgumentException listing the valid ids otherwise. */
    @JsonCreator
    public static PredictionType of(String id) {
        for (PredictionType v : values()) {
            if (v.id.equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown prediction_type '" + id + "' (valid: "
                + Arrays.stream(values()).map(PredictionType::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
