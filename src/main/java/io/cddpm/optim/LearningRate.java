package io.cddpm.optim;

import io.cddpm.config.LrSchedule;

/** Linear warm-up from 0 to the base rate, then cosine decay to 0 at the last step (or constant). */
public record LearningRate(double base, int warmupSteps, long totalSteps, LrSchedule schedule) {
    public double at(long step) {
        if (warmupSteps > 0 && step < warmupSteps) {
            return base * (step + 1) / warmupSteps;
        }
        if (schedule == LrSchedule.CONSTANT) {
            return base;
        }
        long span = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / span);
        return base * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
