package io.cddpm.diffusion;

/**
 * The forward process's betas, alphas and cumulative alpha products (alpha_bar), computed in float32
 * the way diffusers does (torch.linspace / betas_for_alpha_bar, then torch.cumprod), so values
 * agree with diffusers' to float rounding.
 */
public final class NoiseSchedule {
    private final float[] betas;
    private final float[] alphas;
    private final float[] alphasCumprod;

    private NoiseSchedule(float[] betas) {
        this.betas = betas;
        this.alphas = new float[betas.length];
        this.alphasCumprod = new float[betas.length];
        float product = 1f;
        for (int i = 0; i < betas.length; i++) {
            alphas[i] = 1f - betas[i];
            product *= alphas[i];
            alphasCumprod[i] = product;
        }
    }

    public static NoiseSchedule of(SchedulerConfig c) {
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
        return new NoiseSchedule(betas);
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** torch.linspace in float32: start + i * step for the first half, end - (n - 1 - i) * step after. */
    private static void linspace(float start, float end, float[] out) {
        int n = out.length;
        if (n == 1) {
            out[0] = start;
            return;
        }
        float step = (end - start) / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) {
            out[i] = i < half ? start + step * i : end - step * (n - 1 - i);
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
