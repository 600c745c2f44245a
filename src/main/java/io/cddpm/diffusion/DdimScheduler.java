package io.cddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.cddpm.core.InvalidInputException;

/**
 * DDIM sampling in N steps with "leading" spacing (t = k * (T / N) + steps_offset, descending) and
 * stochasticity eta, as diffusers' DDIMScheduler (set_alpha_to_one: alpha_bar before step 0 is 1).
 * Memoryless, so it is its own trajectory.
 */
public final class DdimScheduler implements Scheduler, Scheduler.Trajectory {
    /** Sampler id {@code ddim}: N steps and eta. */
    public static final SamplerKind KIND = new SamplerKind("ddim", "DDIM", true, true, t -> t, DdimScheduler::new);

    private final SchedulerConfig config;
    private final NoiseSchedule schedule;
    private final int[] timesteps;
    private final int stepRatio;
    private final double eta;

    public DdimScheduler(SchedulerConfig config, int steps, double eta) {
        if (steps <= 0 || steps > config.numTrainTimesteps()) {
            throw new InvalidInputException("DDIM steps " + steps + ": must be between 1 and num_train_timesteps ("
                    + config.numTrainTimesteps() + ")");
        }
        if (eta < 0) {
            throw new InvalidInputException("eta " + eta + ": must be >= 0");
        }
        this.config = config;
        this.schedule = NoiseSchedule.of(config);
        this.eta = eta;
        this.stepRatio = config.numTrainTimesteps() / steps;
        this.timesteps = new int[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = (steps - 1 - i) * stepRatio + config.stepsOffset();
        }
    }

    @Override
    public int[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public Trajectory start(NDManager manager) {
        return this;
    }

    @Override
    public boolean needsNoise(int t) {
        return eta > 0;
    }

    private float alphaBarPrev(int t) {
        int prev = t - stepRatio;
        if (prev >= 0) {
            return schedule.alphaBar(prev);
        }
        return config.setAlphaToOne() ? 1f : schedule.alphaBar(0);
    }

    /** sigma_t^2 without eta: (1 - ab_prev) / (1 - ab_t) (1 - ab_t / ab_prev). */
    float variance(int t) {
        float abT = schedule.alphaBar(t);
        float abPrev = alphaBarPrev(t);
        return (1f - abPrev) / (1f - abT) * (1f - abT / abPrev);
    }

    @Override
    public StepOutput step(NDArray modelOutput, int t, NDArray sample, NDArray noise) {
        float abT = schedule.alphaBar(t);
        float abPrev = alphaBarPrev(t);
        NDArray x0 = OriginalSample.predict(config, modelOutput, sample, abT);
        NDArray eps = config.predictionType() == PredictionType.EPSILON
                ? modelOutput
                : OriginalSample.epsilon(config, modelOutput, sample, x0, abT);
        double std = eta * Math.sqrt(variance(t));
        NDArray direction = eps.mul(Math.sqrt(Math.max(0.0, 1.0 - abPrev - std * std)));
        NDArray prev = x0.mul(Math.sqrt(abPrev)).add(direction);
        if (eta > 0) {
            if (noise == null) {
                throw new IllegalArgumentException("DDIM with eta > 0 needs noise");
            }
            prev = prev.add(noise.mul(std));
        }
        return new StepOutput(prev, x0);
    }
}
