package io.cddpm.diffusion;

import ai.djl.ndarray.NDArray;

/** The estimate of x_0 from a model output, per prediction type, with optional clipping (shared by the samplers). */
final class OriginalSample {
    private OriginalSample() {}

    static NDArray predict(SchedulerConfig config, NDArray modelOutput, NDArray sample, float alphaBar) {
        double a = Math.sqrt(alphaBar);
        double b = Math.sqrt(1 - alphaBar);
        NDArray x0 = switch (config.predictionType()) {
            case EPSILON -> sample.sub(modelOutput.mul(b)).div(a);
            case SAMPLE -> modelOutput;
            case V_PREDICTION -> sample.mul(a).sub(modelOutput.mul(b));
        };
        if (config.clipSample()) {
            x0 = x0.clip(-config.clipSampleRange(), config.clipSampleRange());
        }
        return x0;
    }

    /** The noise implied by x_t and an x_0 estimate (for sample / v prediction). */
    static NDArray epsilon(SchedulerConfig config, NDArray modelOutput, NDArray sample, NDArray x0, float alphaBar) {
        double a = Math.sqrt(alphaBar);
        double b = Math.sqrt(1 - alphaBar);
        return switch (config.predictionType()) {
            case EPSILON -> modelOutput;
            case SAMPLE -> sample.sub(x0.mul(a)).div(b);
            case V_PREDICTION -> modelOutput.mul(a).add(sample.mul(b));
        };
    }
}
