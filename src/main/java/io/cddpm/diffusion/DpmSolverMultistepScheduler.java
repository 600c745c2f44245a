package io.cddpm.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.cddpm.core.InvalidInputException;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion
 * Probabilistic Models"): the second-order multistep solver of the diffusion ODE in the data
 * prediction (x_0) form, as diffusers' DPMSolverMultistepScheduler with its defaults (algorithm_type
 * dpmsolver++, solver_order 2, solver_type midpoint, lower_order_final, timestep_spacing linspace,
 * final_sigmas_type zero, no thresholding, no Karras sigmas). Deterministic: no eta, no noise.
 *
 * <p>N steps visit round(linspace(0, T - 1, N + 1)) descending without the 0. With alpha_t, sigma_t
 * the signal and noise scales, lambda_t = log(alpha_t / sigma_t) and h = lambda_next - lambda_t, a
 * step moves x_t to x_next = (sigma_next / sigma_t) x_t - alpha_next (e^-h - 1) D, where D is the
 * x_0 estimate at t (first order: a DDIM step) or, from the second step on, that estimate plus half
 * its change since the previous step scaled by h / h_previous (second order). The last step goes to
 * sigma = 0, i.e. lands on the x_0 estimate, and is first order for any N (diffusers' lower_order_final
 * with final_sigmas_type zero: lambda is infinite there). The previous x_0 estimate is the state a
 * {@link Trajectory} carries.
 *
 * <p>Of the config it uses the schedule and the prediction type: diffusers' solver has no clip_sample
 * (x_0 is not clipped), ignores steps_offset under linspace spacing and has no set_alpha_to_one. The
 * per-step scalars are computed in float32 in diffusers' order, because the x_0 estimate at the
 * noisiest step divides by alpha_T (about 5e-5 on the cosine schedule) and so magnifies any
 * difference in the last bit of sigma_T.
 */
public final class DpmSolverMultistepScheduler implements Scheduler {
    /**
     * Sampler id {@code dpmpp_2m} (k-diffusion's name for it): N steps, no eta. At most T - 1 steps:
     * with N = T the rounded linspace visits a timestep twice, and the second-order step divides by the
     * zero step between them (diffusers returns NaN images there).
     */
    public static final SamplerKind KIND = new SamplerKind("dpmpp_2m", "DPM-Solver++(2M)", true, false, t -> t - 1,
            (config, steps, eta) -> new DpmSolverMultistepScheduler(config, steps));

    private final PredictionType predictionType;
    private final int[] timesteps;
    /** The noise level at each visited timestep, then the final one (sigma = 0): N + 1 entries. */
    private final Level[] levels;

    public DpmSolverMultistepScheduler(SchedulerConfig config, int steps) {
        int n = config.numTrainTimesteps();
        if (steps <= 0 || steps > KIND.maxSteps(n)) {
            throw new InvalidInputException(KIND.name() + " steps " + steps + ": must be between 1 and num_train_timesteps - 1 ("
                    + KIND.maxSteps(n) + ")");
        }
        this.predictionType = config.predictionType();
        NoiseSchedule schedule = NoiseSchedule.of(config);
        this.timesteps = new int[steps];
        this.levels = new Level[steps + 1];
        double spacing = (double) (n - 1) / steps; // numpy.linspace(0, n - 1, steps + 1): i * spacing, the last one exact
        for (int k = 0; k < steps; k++) {
            int i = steps - k;
            timesteps[k] = i == steps ? n - 1 : (int) Math.rint(i * spacing);
            float alphaBar = schedule.alphaBar(timesteps[k]);
            levels[k] = Level.of((float) Math.sqrt((1f - alphaBar) / alphaBar));
        }
        levels[steps] = Level.of(0f);
    }

    @Override
    public int[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public Trajectory start(NDManager manager) {
        return new Run(manager);
    }

    /**
     * A noise level in the solver's terms, from the variance-exploding sigma s = sqrt((1 - alpha_bar) /
     * alpha_bar): alpha = 1 / sqrt(s^2 + 1), sigma = s alpha, lambda = log(alpha) - log(sigma), in float32.
     */
    private record Level(float alpha, float sigma, float lambda) {
        static Level of(float s) {
            float alpha = 1f / (float) Math.sqrt(s * s + 1f);
            float sigma = s * alpha;
            return new Level(alpha, sigma, (float) Math.log(alpha) - (float) Math.log(sigma));
        }
    }

    /** One run: the step index and the previous step's x_0 estimate (a copy kept in the run's manager). */
    private final class Run implements Trajectory {
        private final NDManager manager;
        private int index;
        private NDArray previous;

        Run(NDManager manager) {
            this.manager = manager;
        }

        @Override
        public boolean needsNoise(int t) {
            return false;
        }

        @Override
        public StepOutput step(NDArray modelOutput, int t, NDArray sample, NDArray noise) {
            if (index >= timesteps.length || timesteps[index] != t) {
                throw new IllegalStateException(KIND.name() + " step at t=" + t + ": expected "
                        + (index < timesteps.length ? "t=" + timesteps[index] : "no more steps") + " (step " + index + " of "
                        + timesteps.length + "); a trajectory takes the scheduler's timesteps in order, once");
            }
            Level from = levels[index];
            Level to = levels[index + 1];
            NDArray x0 = dataPrediction(modelOutput, sample, from);
            float h = to.lambda() - from.lambda();
            float ratio = to.sigma() / from.sigma();
            float scale = to.alpha() * ((float) Math.exp(-h) - 1f);
            NDArray prev = sample.mul(ratio).sub(x0.mul(scale));
            boolean last = index == timesteps.length - 1;
            if (previous != null && !last) {
                float r = (from.lambda() - levels[index - 1].lambda()) / h;
                prev = prev.sub(x0.sub(previous).mul(1f / r).mul(0.5f * scale));
            }
            if (!last) {
                NDArray kept = x0.duplicate();
                kept.attach(manager);
                if (previous != null) {
                    previous.close();
                }
                previous = kept;
            }
            index++;
            return new StepOutput(prev, x0);
        }

        /** The x_0 estimate (diffusers' convert_model_output for dpmsolver++). */
        private NDArray dataPrediction(NDArray modelOutput, NDArray sample, Level at) {
            return switch (predictionType) {
                case EPSILON -> sample.sub(modelOutput.mul(at.sigma())).div(at.alpha());
                case SAMPLE -> modelOutput;
                case V_PREDICTION -> sample.mul(at.alpha()).sub(modelOutput.mul(at.sigma()));
            };
        }
    }
}
