package io.cddpm.diffusion;

import ai.djl.ndarray.NDArray;

/** The model as the samplers see it: x_t and t -> the model output for the config's prediction type. */
@FunctionalInterface
public interface Denoiser {
    NDArray predict(NDArray sample, int timestep);
}
