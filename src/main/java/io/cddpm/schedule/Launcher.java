package io.cddpm.schedule;

import io.cddpm.state.QueuedTrial;
import java.nio.file.Path;
import java.util.List;

/** What a scheduled job starts; the jobs know nothing else (the pipeline is plugged in by {@code cddpm serve} and {@code cddpm worker}). */
public interface Launcher {
    /** How a trial job ended on this worker. */
    enum TrialOutcome {
        /** The trial finished or failed: its job is done. */
        ENDED,
        /** Stopped by SIGTERM/Ctrl-C with its progress saved: it goes back to the queue for the next worker. */
        STOPPED,
        /** Its run folder is locked by another process (e.g. a plain `cddpm run`): it is tried again a little later. */
        BUSY
    }

    /** Runs the experiment's sweep, as {@code cddpm run FILE --set ...} would (a worker submits it instead). */
    void sweep(Path yaml, List<String> overrides) throws Exception;

    /** Re-evaluates the experiment's finished trials, as {@code cddpm reevaluate FILE --set ...} would. */
    void reevaluate(Path yaml, List<String> overrides) throws Exception;

    /**
     * Runs one trial of a submitted sweep (new, or resumed from its newest checkpoint).
     *
     * @param recovering true when the worker that ran it died and this is Quartz's recovery of its job
     */
    TrialOutcome trial(QueuedTrial trial, boolean recovering) throws Exception;
}
