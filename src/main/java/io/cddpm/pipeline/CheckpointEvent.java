package io.cddpm.pipeline;

import java.nio.file.Path;

/** A checkpoint written during a trial (the body of the checkpoint route). */
public record CheckpointEvent(TrialRun run, int epoch, Path checkpoint) {}
