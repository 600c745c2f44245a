package io.cddpm.diffusion;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cddpm.core.EnumIds;

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
        return EnumIds.byId(values(), BetaSchedule::id, id, "beta_schedule");
    }

    @Override
    public String toString() {
        return id;
    }
}
