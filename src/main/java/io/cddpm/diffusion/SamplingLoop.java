package io.cddpm.diffusion;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Seeds;
import java.util.SplittableRandom;

/**
 * Runs a scheduler from pure noise to an image. Every step runs in its own NDManager sub-scope;
 * only the running sample survives a step. Noise is drawn from a Java generator seeded per step
 * ({@code seed}, step index), so the same seed gives the same images on any device and thread count.
 */
public final class SamplingLoop {
    /** Receives the running sample (x_t after the step) and the step index, for progressive pictures and progress. */
    @FunctionalInterface
    public interface StepListener {
        void onStep(int index, int timestep, NDArray sample);
    }

    private final Scheduler scheduler;

    public SamplingLoop(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Samples a batch of the given shape along a fresh trajectory of the scheduler (so a multistep
     * method starts without history every call). The returned array lives in {@code manager}, and so
     * does the trajectory's state until {@code manager} closes.
     *
     * @param listener called after every step with the new sample (valid only during the call); may be null
     */
    public NDArray run(NDManager manager, Shape shape, Denoiser denoiser, long seed, StepListener listener) {
        NDArray sample = gaussian(manager, shape, new SplittableRandom(mix(seed, -1)));
        Scheduler.Trajectory trajectory = scheduler.start(manager);
        int[] ts = scheduler.timesteps();
        for (int i = 0; i < ts.length; i++) {
            try (NDManager step = manager.newSubManager()) {
                NDArray x = sample;
                x.attach(step);
                NDArray noise = trajectory.needsNoise(ts[i]) ? gaussian(step, shape, new SplittableRandom(mix(seed, i))) : null;
                NDArray out = denoiser.predict(x, ts[i]);
                NDArray next = trajectory.step(out, ts[i], x, noise).prevSample();
                if (listener != null) {
                    listener.onStep(i, ts[i], next);
                }
                next.attach(manager);
                sample = next;
            }
        }
        return sample;
    }

    /** Standard normal noise of a shape, from a seeded Java generator. */
    public static NDArray gaussian(NDManager manager, Shape shape, SplittableRandom random) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return Tensors.owned(manager, values, shape);
    }

    /** A well-mixed 64-bit seed from (seed, index). */
    public static long mix(long seed, long index) {
        return Seeds.mix(seed, index);
    }
}
