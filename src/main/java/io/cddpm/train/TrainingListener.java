package io.cddpm.train;

import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.Provenance;
import java.nio.file.Path;

/** Hooks into training, so orchestration (evaluation, tracking) can react without the trainer knowing it. */
public interface TrainingListener {
    /** Before the first step: what this training is made of. */
    default void onStart(Provenance provenance) {}

    /** After every optimisation step (global step count, loss, learning rate). */
    default void onStep(long step, double loss, double lr) {}

    /** After every epoch. */
    default void onEpoch(EpochRecord record) {}

    /** After a checkpoint file has been written (atomically) for {@code epoch}. */
    default void onCheckpoint(int epoch, Path checkpoint) {}

    TrainingListener NONE = new TrainingListener() {};
}
