package io.cddpm.diffusion;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cddpm.core.EnumIds;

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
        return EnumIds.byId(values(), PredictionType::id, id, "prediction_type");
    }

    @Override
    public String toString() {
        return id;
    }
}
