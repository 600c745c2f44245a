package io.cddpm.diffusion;

import ai.djl.ndarray.NDArray;

/** A reverse-process sampler: which timesteps it visits, and one denoising step. */
public interface Scheduler {
    /** The timesteps visited, in order (descending). */
    int[] timesteps();

    /**
     * One step from x_t to x_{prev}.
     *
     * @param noise standard normal noise shaped like the sample, for the stochastic part (may be
     *     null for deterministic samplers, e.g. DDIM with eta 0)
     */
    StepOutput step(NDArray modelOutput, int t, NDArray sample, NDArray noise);

    /** Whether {@link #step} uses its noise argument at this timestep. */
    boolean needsNoise(int t);

    /** The result of one step: the next (less noisy) sample and the current estimate of x_0. */
    record StepOutput(NDArray prevSample, NDArray predOriginalSample) {}
}
