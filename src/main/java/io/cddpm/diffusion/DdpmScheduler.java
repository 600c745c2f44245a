package io.cddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Ancestral DDPM sampling over all T train timesteps (T-1 .. 0), as diffusers' DDPMScheduler with
 * variance_type fixed_small: x_{t-1} = c0 x0_hat + c1 x_t + sqrt(beta_tilde_t) z. Memoryless, so it
 * is its own trajectory.
 */
public final class DdpmScheduler implements Scheduler, Scheduler.Trajectory {
    /** Sampler id {@code ddpm}: every train timestep, no step count or eta. */
    public static final SamplerKind KIND = new SamplerKind("ddpm", "DDPM", false, false, t -> t,
            (config, steps, eta) -> new DdpmScheduler(config));

    private final SchedulerConfig config;
    private final NoiseSchedule schedule;

    public DdpmScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = NoiseSchedule.of(config);
    }

    @Override
    public int[] timesteps() {
        int n = config.numTrainTimesteps();
        int[] ts = new int[n];
        for (int i = 0; i < n; i++) {
            ts[i] = n - 1 - i;
        }
        return ts;
    }

    @Override
    public Trajectory start(NDManager manager) {
        return this;
    }

    @Override
    public boolean needsNoise(int t) {
        return t > 0;
    }

    /** beta_tilde_t = (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) beta_t, floored at 1e-20; 0 at t = 0. */
    public float variance(int t) {
        if (t == 0) {
            return 0f;
        }
        float abT = schedule.alphaBar(t);
        float abPrev = schedule.alphaBar(t - 1);
        float currentBeta = 1f - abT / abPrev;
        return Math.max((1f - abPrev) / (1f - abT) * currentBeta, 1e-20f);
    }

    /** x_0 estimate and the deterministic part of x_{t-1} (the mean). */
    public StepOutput mean(NDArray modelOutput, int t, NDArray sample) {
        float abT = schedule.alphaBar(t);
        float abPrev = t > 0 ? schedule.alphaBar(t - 1) : 1f;
        float betaProdT = 1f - abT;
        float betaProdPrev = 1f - abPrev;
        float currentAlpha = abT / abPrev;
        float currentBeta = 1f - currentAlpha;
        NDArray x0 = OriginalSample.predict(config, modelOutput, sample, abT);
        double c0 = Math.sqrt(abPrev) * currentBeta / betaProdT;
        double c1 = Math.sqrt(currentAlpha) * betaProdPrev / betaProdT;
        return new StepOutput(x0.mul(c0).add(sample.mul(c1)), x0);
    }

    @Override
    public StepOutput step(NDArray modelOutput, int t, NDArray sample, NDArray noise) {
        StepOutput mean = mean(modelOutput, t, sample);
        if (t == 0) {
            return mean;
        }
        if (noise == null) {
            throw new IllegalArgumentException("DDPM step at t=" + t + " needs noise");
        }
        return new StepOutput(mean.prevSample().add(noise.mul(Math.sqrt(variance(t)))), mean.predOriginalSample());
    }
}
