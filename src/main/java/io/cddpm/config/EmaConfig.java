package io.cddpm.config;

/**
 * Exponential moving average of the weights, with the decay warm-up of diffusers' {@code EMAModel}
 * ({@code update_after_step = warmupSteps}, {@code use_ema_warmup = false}): see {@link #decayAt}.
 *
 * @param enabled     keep an EMA copy of the weights (and sample from it when {@code sampling.use_ema})
 * @param decay       the largest decay ever used, in (0, 1)
 * @param warmupSteps optimizer steps before the EMA starts averaging (it copies the weights until then)
 */
public record EmaConfig(boolean enabled, double decay, int warmupSteps) {
    public static EmaConfig defaults() {
        return new EmaConfig(true, 0.9999, 0);
    }

    /**
     * The decay to use for the EMA update after optimizer step {@code optimizationStep} (1-based):
     * with {@code s = optimizationStep - warmupSteps - 1}, 0 (= copy the weights) while s <= 0, then
     * {@code min(decay, (1 + s) / (10 + s))}, as diffusers' {@code EMAModel.get_decay}.
     */
    public double decayAt(long optimizationStep) {
        long s = Math.max(0, optimizationStep - warmupSteps - 1);
        if (s <= 0) {
            return 0.0;
        }
        return Math.min(decay, (1.0 + s) / (10.0 + s));
    }
}
