package io.cddpm.tracking;

import io.cddpm.config.TrackingConfig;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /**
     * Opens the tracking for a config, with the outbox in the state database outboxDb, and says on the
     * console how many records of other servers wait in the outbox (this session never sends them) and
     * the commands that send or drop them.
     */
    public static TrackingSession open(TrackingConfig config, DataSource outboxDb, PrintStream console) throws IOException {
        TrackingEndpoint endpoint = TrackingEndpoint.open(config, Path.of("mlruns"), console);
        try {
            MlflowTracker tracker = new MlflowTracker(endpoint.uri(), endpoint.serverId(), outboxDb, Duration.ofSeconds(10),
                    closeTimeout());
            reportOthers(new OutboxAdmin(outboxDb).pendingForOthers(tracker.serverId()), console);
            return new TrackingSession(console, endpoint, tracker);
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    /** System property: how long closing keeps trying to deliver to an unreachable server (seconds, default 60). */
    public static final String CLOSE_TIMEOUT_PROPERTY = "cddpm.tracking.closeTimeoutSeconds";

    /** How long the end of a command keeps delivering before leaving the rest in the outbox for the next run. */
    static Duration closeTimeout() {
        String value = System.getProperty(CLOSE_TIMEOUT_PROPERTY, "60");
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds >= 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidInputException("-D" + CLOSE_TIMEOUT_PROPERTY + "=" + value + ": seconds, a whole number >= 0");
    }

    static void reportOthers(List<OutboxAdmin.Waiting> others, PrintStream console) {
        for (OutboxAdmin.Waiting w : others) {
            String target = w.server() == null ? "--uri URI --adopt-unknown" : "--uri " + w.server();
            console.println("tracking outbox: " + w.pending() + " record(s) for " + w.label() + " wait (this run tracks elsewhere"
                    + " and will not send them): `cddpm outbox send " + target + "` delivers them, `cddpm outbox drop "
                    + (w.server() == null ? "--unknown" : "--uri " + w.server()) + "` deletes them");
        }
    }

    public Tracker tracker() {
        return tracker;
    }

    /** How long closing waits for the records before it looks up the experiment's view (the rest of the wait is the close's). */
    private static final Duration LINK_WAIT = Duration.ofSeconds(10);
    private String viewExperiment;
    private String viewKey;

    /**
     * Says, when the session closes (after its records are delivered), where to see the experiment in
     * the MLflow UI: its shared view (shareKey) if it has one, else its page; for the local server, with
     * the command that serves its data again.
     */
    public void announceView(String experiment, String shareKey) {
        this.viewExperiment = experiment;
        this.viewKey = shareKey;
    }

    @Override
    public void close() {
        try {
            // the link is looked up while the client is open, once the view's record had its chance to arrive
            java.util.Optional<String> link = viewExperiment == null || !tracker.flush(LINK_WAIT.compareTo(closeTimeout()) < 0 ? LINK_WAIT : closeTimeout())
                    ? java.util.Optional.empty()
                    : tracker.viewLink(viewExperiment, viewKey);
            tracker.close();
            int left = tracker.pendingCount();
            if (left > 0) {
                console.println("MLflow at " + tracker.uri() + " did not take " + left + " tracking record(s) yet: they wait in"
                        + " the outbox of the state database and are sent by the next cddpm run that tracks to it");
            }
            if (viewExperiment != null) {
                link.ifPresent(address -> console.println(endpoint.localServer()
                        .map(local -> "MLflow: the local server stops now; to see experiment '" + viewExperiment + "' again run"
                                + " `mlflow/serve.sh 5000 " + local.dataDir() + "` and open " + address.replace(tracker.uri(), "http://127.0.0.1:5000")
                                + (local.port() == MlflowServer.DEMO_PORT ? ""
                                        : " (port 5000 was taken by another program when this run began: if it still is, give serve.sh"
                                                + " a free port and use that one in the address)"))
                        .orElse("MLflow: experiment '" + viewExperiment + "' at " + address)));
            }
        } finally {
            endpoint.close();
        }
    }
}
