package io.cddpm.pipeline;

import io.cddpm.config.TrainingConfig;
import java.nio.file.Path;

/** A checkpoint written during a trial (the body of the checkpoint route). */
public record CheckpointEvent(TrialRun run, int epoch, Path checkpoint) {
    /**
     * Whether the classification stage scores this checkpoint: every {@code evaluate_every} epochs,
     * except the last epoch, which the final evaluation scores from the trial's own samples.
     */
    public boolean evaluationDue() {
        TrainingConfig t = run.config().training();
        return epoch % t.evaluateEvery() == 0 && epoch < t.epochs();
    }
}
