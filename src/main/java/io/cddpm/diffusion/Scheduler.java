package io.cddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A reverse-process sampler for one setting (schedule, steps, eta): which timesteps it visits, and
 * the {@link Trajectory} that takes the steps of one run. A scheduler is immutable, so one instance
 * serves any number of runs, one after another or at once; whatever a method carries from step to
 * step (a multistep method's earlier x_0 estimates) lives in the trajectory, never in the scheduler.
 */
public interface Scheduler {
    /** The timesteps visited, in order (descending). */
    int[] timesteps();

    /**
     * A new trajectory: the state of one run from pure noise to an image, for every timestep of
     * {@link #timesteps()} in order, each once ({@code SamplingLoop.run} starts one per batch).
     * Memoryless samplers (DDPM, DDIM) are their own trajectory.
     *
     * @param manager where the trajectory keeps what it carries between steps; it must outlive the
     *     run, and closing it frees that state
     */
    Trajectory start(NDManager manager);

    /** The steps of one run. The arrays a step creates live in its arguments' managers (the caller's scope). */
    interface Trajectory {
        /** Whether {@link #step} uses its noise argument at this timestep. */
        boolean needsNoise(int t);

        /**
         * One step from x_t to x_{prev}.
         *
         * @param noise standard normal noise shaped like the sample, for the stochastic part (may be
         *     null where {@link #needsNoise} is false)
         */
        StepOutput step(NDArray modelOutput, int t, NDArray sample, NDArray noise);
    }

    /** The result of one step: the next (less noisy) sample and the current estimate of x_0. */
    record StepOutput(NDArray prevSample, NDArray predOriginalSample) {}
}
