package io.cddpm.state;

/** Where a trial (or a sweep) stands in the state database. */
public enum TrialStatus {
    /** Known, not yet started in this process (only in memory). */
    PENDING,
    /** Submitted ({@code cddpm run --submit}) and waiting for a worker. */
    QUEUED,
    /** Started and not ended: running now, or left behind by a crash or a kill (resumable). */
    RUNNING,
    /** Ended well: a run of the same config reuses it. */
    FINISHED,
    /** Ended with an error; its checkpoints stay and a later run continues from them. */
    FAILED;

    /** Whether a trial in this state has ended (well or not). */
    public boolean ended() {
        return this == FINISHED || this == FAILED;
    }
}
