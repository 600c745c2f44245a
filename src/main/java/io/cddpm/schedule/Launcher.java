package io.cddpm.schedule;

import java.nio.file.Path;
import java.util.List;

/** What a scheduled job starts; the jobs know nothing else (the pipeline is plugged in by {@code cddpm serve}). */
public interface Launcher {
    /** Runs the experiment's sweep, as {@code cddpm run FILE --set ...} would. */
    void sweep(Path yaml, List<String> overrides) throws Exception;

    /** Re-evaluates the experiment's finished trials, as {@code cddpm reevaluate FILE --set ...} would. */
    void reevaluate(Path yaml, List<String> overrides) throws Exception;
}
