package io.cddpm.diffusion;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How the betas of the forward process are spaced over the train timesteps (diffusers' beta_schedule). */
public enum BetaSchedule {
    LINEAR("linear"),
    SCALED_LINEAR("scaled_linear"),
    SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    private final String id;

    BetaSchedule(String id) {
        this.id = id;
    }

    /** The lowercase id used in configs, checkpoints and on the command line (as diffusers names it). */
    @JsonValue
    public String id() {
        return id;
    }

    /** The constant with this id; IllegalArgumentException listing the valid ids otherwise. */
    @JsonCreator
    public static BetaSchedule of(String id) {
        for (BetaSchedule v : values()) {
            if (v.id.equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown beta_schedule '" + id + "' (valid: "
                + Arrays.stream(values()).map(BetaSchedule::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
