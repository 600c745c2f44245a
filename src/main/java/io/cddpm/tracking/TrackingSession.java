package io.cddpm.tracking;

import io.cddpm.config.TrackingConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import javax.sql.DataSource;

/**
 * The tracker a command works with, and the server behind it: the configured MLflow server, or a
 * local one started here (and stopped on close). Closing delivers what is pending for up to the
 * tracker's close timeout, once, and says on the console what still waits in the outbox.
 */
public final class TrackingSession implements AutoCloseable {
    private final PrintStream console;
    private final TrackingEndpoint endpoint;
    private final MlflowTracker tracker;

    private TrackingSession(PrintStream console, TrackingEndpoint endpoint, MlflowTracker tracker) {
        this.console = console;
        this.endpoint = endpoint;
        this.tracker = tracker;
    }

    /** Opens the tracking for a config, with the outbox in the state database outboxDb. */
    public static TrackingSession open(TrackingConfig config, DataSource outboxDb, PrintStream console) throws IOException {
        TrackingEndpoint endpoint = TrackingEndpoint.open(config, Path.of("mlruns"), console);
        try {
            return new TrackingSession(console, endpoint, new MlflowTracker(endpoint.uri(), outboxDb));
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    public Tracker tracker() {
        return tracker;
    }

    @Override
    public void close() {
        try {
            tracker.close();
            int left = tracker.pendingCount();
            if (left > 0) {
                console.println("MLflow at " + tracker.uri() + " did not take " + left + " tracking record(s) yet: they wait in"
                        + " the outbox of the state database and are sent by the next cddpm run that tracks to it");
            }
        } finally {
            endpoint.close();
        }
    }
}
