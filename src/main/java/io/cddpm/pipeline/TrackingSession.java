package io.cddpm.pipeline;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.tracking.MlflowTracker;
import io.cddpm.tracking.TrackingEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * What a pipeline command holds while it works: the H2 state database (trials, tracking outbox),
 * the MLflow endpoint (the configured server, or a local one started from mlflow/) and the tracker.
 * Closing it flushes the outbox for up to a minute; what MLflow has not taken waits for the next run.
 */
final class TrackingSession implements AutoCloseable {
    private final PrintStream console;
    private final JdbcConnectionPool state;
    private final TrackingEndpoint endpoint;
    private final MlflowTracker tracker;
    private final TrialStore store;

    private TrackingSession(PrintStream console, JdbcConnectionPool state, TrackingEndpoint endpoint, MlflowTracker tracker) {
        this.console = console;
        this.state = state;
        this.endpoint = endpoint;
        this.tracker = tracker;
        this.store = new TrialStore(state);
    }

    static TrackingSession open(ExperimentConfig experiment, PrintStream console) throws IOException {
        JdbcConnectionPool state = JdbcConnectionPool.create(TrialStore.defaultUrl(), "", "");
        TrackingEndpoint endpoint = null;
        try {
            endpoint = TrackingEndpoint.open(experiment.tracking(), Path.of("mlruns"), console);
            MlflowTracker tracker = new MlflowTracker(endpoint.uri(), state);
            console.println("tracking to MLflow at " + endpoint.uri() + " (experiment '" + experiment.experimentName() + "')");
            return new TrackingSession(console, state, endpoint, tracker);
        } catch (IOException | RuntimeException e) {
            if (endpoint != null) {
                endpoint.close();
            }
            state.dispose();
            throw e;
        }
    }

    MlflowTracker tracker() {
        return tracker;
    }

    TrialStore store() {
        return store;
    }

    @Override
    public void close() {
        try {
            if (!tracker.flush(Duration.ofSeconds(60))) {
                console.println("MLflow did not take every record yet: " + tracker.pendingCount()
                        + " wait in the outbox (cddpm-state) and go with the next run");
            }
            tracker.close();
        } finally {
            try {
                endpoint.close();
            } finally {
                state.dispose();
            }
        }
    }
}
