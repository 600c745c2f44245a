package io.cddpm.diffusion;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cddpm.core.EnumIds;

/**
 * How the per-sample MSE of a training step is weighted by its timestep.
 *
 * <p>{@code min_snr} is Min-SNR-gamma (Hang et al., "Efficient Diffusion Training via Min-SNR
 * Weighting Strategy", ICCV 2023): in terms of the x_0 error every timestep is weighted by
 * min(SNR(t), gamma), which caps the weight of nearly clean timesteps. Expressed on each prediction
 * type's own MSE that is min(SNR, gamma) / SNR for epsilon, min(SNR, gamma) for sample and
 * min(SNR, gamma) / (SNR + 1) for v_prediction, with SNR(t) = alpha_bar_t / (1 - alpha_bar_t).
 */
public enum LossWeighting {
    /** Plain MSE on the prediction type's target. */
    NONE("none"),
    /** Min-SNR-gamma. */
    MIN_SNR("min_snr");

    private final String id;

    LossWeighting(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static LossWeighting of(String id) {
        return EnumIds.byId(values(), LossWeighting::id, id, "loss_weighting");
    }

    /** The weight of a sample at timestep t (alpha_bar_t given) for a prediction type; 1 for NONE. */
    public double weight(double alphaBar, PredictionType type, double gamma) {
        if (this == NONE) {
            return 1.0;
        }
        double snr = alphaBar / Math.max(1e-20, 1 - alphaBar);
        double clipped = Math.min(snr, gamma);
        return switch (type) {
            case EPSILON -> clipped / Math.max(snr, 1e-20);
            case SAMPLE -> clipped;
            case V_PREDICTION -> clipped / (snr + 1);
        };
    }
}
