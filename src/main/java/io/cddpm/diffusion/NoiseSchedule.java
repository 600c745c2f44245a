package io.cddpm.diffusion;

import io.cddpm.core.InvalidInputException;

/**
 * The forward process's betas, alphas and cumulative alpha products (alpha_bar), computed in float32
 * the way diffusers does (torch.linspace / betas_for_alpha_bar, then torch.cumprod), so values
 * are diffusers' to the bit (without a shift).
 *
 * <p>With a log-SNR shift s ({@link SchedulerConfig#logSnrShift()}, "simple diffusion", Hoogeboom et
 * al. 2023) every alpha_bar_t becomes sigmoid(logit(alpha_bar_t) + s), i.e. logSNR_t + s, since
 * alpha_bar = sigmoid(logSNR); the betas follow from those as beta_t = 1 - alpha_bar_t /
 * alpha_bar_{t-1} (alpha_bar_{-1} = 1), so the schedulers and the forward process see one consistent
 * schedule. The shift is monotonic, so a decreasing alpha_bar stays decreasing and every beta stays
 * in (0, 1); the cosine schedule's last beta, capped at 0.999 by diffusers to keep alpha_bar_T above
 * 0, is not capped again (a negative s takes it a hair above 0.999): re-capping would break alpha_bar
 * = sigmoid(logSNR + s) there, and alpha_bar_T stays above 0 anyway.
 */
public final class NoiseSchedule {
    private final float[] betas;
    private final float[] alphas;
    private final float[] alphasCumprod;

    private NoiseSchedule(float[] betas, float[] alphasCumprod) {
        this.betas = betas;
        this.alphas = new float[betas.length];
        this.alphasCumprod = alphasCumprod;
        for (int i = 0; i < betas.length; i++) {
            alphas[i] = 1f - betas[i];
        }
    }

    /** The schedule of these betas, alpha_bar their running product as torch.cumprod computes it on the CPU (in double). */
    private static NoiseSchedule ofBetas(float[] betas) {
        float[] alphasCumprod = new float[betas.length];
        double product = 1;
        for (int i = 0; i < betas.length; i++) {
            product *= 1f - betas[i];
            alphasCumprod[i] = (float) product;
        }
        return new NoiseSchedule(betas, alphasCumprod);
    }

    /**
     * The schedule a scheduler config describes (its log-SNR shift applied).
     *
     * @throws InvalidInputException when the shifted alpha_bar is not strictly decreasing inside (0, 1)
     *                               in float32 (a shift too large for the schedule)
     */
    public static NoiseSchedule of(SchedulerConfig c) {
        NoiseSchedule unshifted = ofBetas(betas(c));
        return c.logSnrShift() == 0.0 ? unshifted : unshifted.shifted(c.logSnrShift());
    }

    /** sigmoid(logit(alphaBar) + shift): alpha_bar at log-SNR moved by {@code shift}. */
    public static double shiftAlphaBar(double alphaBar, double shift) {
        return 1.0 / (1.0 + (1.0 - alphaBar) / alphaBar * Math.exp(-shift));
    }

    private NoiseSchedule shifted(double shift) {
        int n = size();
        float[] ab = new float[n];
        float[] b = new float[n];
        double previous = 1.0;
        for (int t = 0; t < n; t++) {
            double current = shiftAlphaBar(alphasCumprod[t], shift);
            ab[t] = (float) current;
            b[t] = (float) (1.0 - current / previous);
            if (!(ab[t] > 0f && ab[t] < 1f && b[t] > 0f && b[t] < 1f && (t == 0 || ab[t] < ab[t - 1]))) {
                throw new InvalidInputException(String.format("log-SNR shift %+.3f: alpha_bar at t = %d is %s (beta %s), which is not"
                        + " strictly decreasing inside (0, 1) in float32; the shift is too large for this schedule", shift, t, ab[t], b[t]));
            }
            previous = current;
        }
        return new NoiseSchedule(b, ab);
    }

    /** diffusers' betas for the config's beta_schedule, in float32. */
    private static float[] betas(SchedulerConfig c) {
        int n = c.numTrainTimesteps();
        float[] betas = new float[n];
        switch (c.betaSchedule()) {
            case LINEAR -> linspace((float) c.betaStart(), (float) c.betaEnd(), betas);
            case SCALED_LINEAR -> {
                linspace((float) Math.sqrt(c.betaStart()), (float) Math.sqrt(c.betaEnd()), betas);
                for (int i = 0; i < n; i++) {
                    betas[i] = betas[i] * betas[i];
                }
            }
            case SQUAREDCOS_CAP_V2 -> {
                for (int i = 0; i < n; i++) {
                    double t1 = (double) i / n;
                    double t2 = (double) (i + 1) / n;
                    betas[i] = (float) Math.min(1 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
                }
            }
        }
        return betas;
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /**
     * torch.linspace in float32: start + i * step for the first half, end - (n - 1 - i) * step after,
     * each a fused multiply-add (one rounding) as torch's compiled kernel computes it.
     */
    private static void linspace(float start, float end, float[] out) {
        int n = out.length;
        if (n == 1) {
            out[0] = start;
            return;
        }
        float step = (end - start) / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) {
            out[i] = i < half ? Math.fma(step, i, start) : Math.fma(-step, n - 1 - i, end);
        }
    }

    public int size() {
        return betas.length;
    }

    public float[] betas() {
        return betas.clone();
    }

    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    public float beta(int t) {
        return betas[t];
    }

    public float alpha(int t) {
        return alphas[t];
    }

    /** alpha_bar_t. */
    public float alphaBar(int t) {
        return alphasCumprod[t];
    }
}
