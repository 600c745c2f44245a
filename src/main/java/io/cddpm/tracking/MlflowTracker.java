package io.cddpm.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cddpm's MLflow tracking: experiments, runs (a sweep = a parent run with one child run per trial),
 * params, metrics, tags, run status and artifacts, written first to an H2 outbox and delivered by a
 * background sender, in order and each exactly once (see {@link OutboxSender}). When MLflow is
 * unreachable or failing, nothing is thrown to the caller: records wait in the outbox and go out when
 * the server is back, or at {@link #close()}, or by the next tracker opened on the same database.
 * Thread-safe.
 */
public final class MlflowTracker implements AutoCloseable {
    /** Run description in the MLflow UI; a failed run's error goes here and into {@link #ERROR_TAG}. */
    public static final String NOTE_TAG = "mlflow.note.content";
    public static final String ERROR_TAG = "cddpm.error";
    /** Delivered records are kept this long in the outbox table, for inspection, then deleted. */
    public static final int SENT_RETENTION_DAYS = 7;
    private static final Logger LOG = LoggerFactory.getLogger(MlflowTracker.class);

    private final String trackingUri;
    private final OutboxStore store;
    private final OutboxSender sender;
    private final MlflowBackend backend;
    private final JdbcConnectionPool ownPool;
    private final Duration retryMax;
    private final Duration closeTimeout;
    private final ReentrantLock delivering = new ReentrantLock();
    private final Object signal = new Object();
    private final Thread worker;
    private volatile boolean closed;
    private boolean wakeUp;
    private boolean unreachable;

    /** Tracker on the server at trackingUri with its outbox in the database of outboxDb. */
    public MlflowTracker(String trackingUri, DataSource outboxDb) {
        this(trackingUri, outboxDb, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /** Tracker with its outbox in the H2 database at jdbcUrl (e.g. {@code jdbc:h2:./cddpm-state/cddpm}). */
    public MlflowTracker(String trackingUri, String outboxJdbcUrl) {
        this(trackingUri, null, JdbcConnectionPool.create(outboxJdbcUrl, "", ""), Duration.ofSeconds(10),
                Duration.ofSeconds(60));
    }

    /**
     * @param retryMax     longest wait between two delivery attempts while MLflow is down
     * @param closeTimeout how long {@link #close()} keeps trying to deliver what is left
     */
    public MlflowTracker(String trackingUri, DataSource outboxDb, Duration retryMax, Duration closeTimeout) {
        this(trackingUri, outboxDb, null, retryMax, closeTimeout);
    }

    private MlflowTracker(String trackingUri, DataSource db, JdbcConnectionPool ownPool, Duration retryMax,
            Duration closeTimeout) {
        this.trackingUri = stripSlash(Objects.requireNonNull(trackingUri, "trackingUri"));
        this.ownPool = ownPool;
        this.store = new OutboxStore(ownPool != null ? ownPool : db);
        try {
            // Records still pending from an earlier process may have reached MLflow just before it died
            // (its "sent" mark lost): deliver them as retries, which never duplicate.
            store.markPendingUncertain();
            store.purgeSent(SENT_RETENTION_DAYS);
        } catch (SQLException e) {
            LOG.error("tracking: cannot read the outbox: {}", e.getMessage());
        }
        this.backend = new MlflowBackend(this.trackingUri);
        this.sender = new OutboxSender(store, backend);
        this.retryMax = retryMax;
        this.closeTimeout = closeTimeout;
        this.worker = new Thread(this::sendLoop, "cddpm-mlflow-outbox");
        worker.setDaemon(true);
        worker.start();
    }

    private static String stripSlash(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    public String trackingUri() {
        return trackingUri;
    }

    // ---- runs ---------------------------------------------------------------------------------

    /** A new top-level run (e.g. a sweep's parent run) in the experiment (created if absent). */
    public RunHandle startRun(String experiment, String runName, Map<String, String> tags) {
        return start(experiment, runName, null, tags);
    }

    /** A new child run of parent (tag {@code mlflow.parentRunId}), e.g. one trial of a sweep. */
    public RunHandle startChildRun(RunHandle parent, String runName, Map<String, String> tags) {
        return start(parent.experiment(), runName, parent.key(), tags);
    }

    private RunHandle start(String experiment, String runName, String parentKey, Map<String, String> tags) {
        Objects.requireNonNull(experiment, "experiment");
        RunHandle run = new RunHandle(UUID.randomUUID().toString(), experiment, runName);
        String payload = Payloads.write(new Payloads.CreateRun(experiment, runName, parentKey,
                System.currentTimeMillis(), tags == null ? Map.of() : new LinkedHashMap<>(tags)));
        try {
            store.createRun(run.key(), experiment, runName, parentKey, payload);
        } catch (SQLException e) {
            LOG.error("tracking: cannot write run creation of '{}' to the outbox; the run will not be tracked: {}",
                    runName, e.getMessage());
        }
        wake();
        return run;
    }

    /** The run with this key (from {@link RunHandle#key()}), e.g. to go on logging after a restart. */
    public Optional<RunHandle> resumeRun(String runKey) {
        try {
            return store.run(runKey).map(r -> new RunHandle(r.key(), r.experiment(), r.runName()));
        } catch (SQLException e) {
            LOG.error("tracking: cannot read run {} from the outbox database: {}", runKey, e.getMessage());
            return Optional.empty();
        }
    }

    /** The run's MLflow run id, once its creation has reached MLflow. */
    public Optional<String> mlflowRunId(RunHandle run) {
        try {
            return store.run(run.key()).map(OutboxStore.RunRow::runId);
        } catch (SQLException e) {
            LOG.error("tracking: cannot read run {} from the outbox database: {}", run.key(), e.getMessage());
            return Optional.empty();
        }
    }

    /** The run's MLflow experiment id, once its creation has reached MLflow. */
    public Optional<String> mlflowExperimentId(RunHandle run) {
        try {
            return store.run(run.key()).map(OutboxStore.RunRow::experimentId);
        } catch (SQLException e) {
            LOG.error("tracking: cannot read run {} from the outbox database: {}", run.key(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Ends the run as FINISHED. */
    public void finishRun(RunHandle run) {
        endRun(run, RunState.FINISHED);
    }

    /** Ends the run as FAILED, with the error as tag {@code cddpm.error} and as the run's description. */
    public void failRun(RunHandle run, String error) {
        String text = error == null ? "failed" : error;
        setTags(run, Map.of(ERROR_TAG, abbreviate(text, 5000), NOTE_TAG, abbreviate("Failed: " + text, 5000)));
        endRun(run, RunState.FAILED);
    }

    public void endRun(RunHandle run, RunState state) {
        append(run, RecordKind.SET_STATUS, new Payloads.Status(state, System.currentTimeMillis()));
    }

    // ---- params, metrics, tags ----------------------------------------------------------------

    /** Params, e.g. {@code ConfigFlattener.flatten(config)}. A param's value cannot change once logged. */
    public void logParams(RunHandle run, Map<String, String> params) {
        if (!params.isEmpty()) {
            append(run, RecordKind.LOG_BATCH, new Payloads.Batch(List.of(), new LinkedHashMap<>(params), Map.of()));
        }
    }

    public void setTags(RunHandle run, Map<String, String> tags) {
        if (!tags.isEmpty()) {
            append(run, RecordKind.LOG_BATCH, new Payloads.Batch(List.of(), Map.of(), new LinkedHashMap<>(tags)));
        }
    }

    /** One metric value at step, timestamped now. */
    public void logMetric(RunHandle run, String key, double value, long step) {
        logMetrics(run, Map.of(key, value), step);
    }

    /** Several metric values at one step, timestamped now (e.g. loss, lr and images/s of an epoch). */
    public void logMetrics(RunHandle run, Map<String, Double> values, long step) {
        long now = System.currentTimeMillis();
        List<MetricPoint> points = new ArrayList<>(values.size());
        values.forEach((k, v) -> points.add(new MetricPoint(k, v, now, step)));
        logPoints(run, points);
    }

    /**
     * Training-progress metrics at {@code step}: a (key, step) at or below the highest step already
     * logged for that key in this run is dropped, atomically with the queueing, so a trial resumed
     * from a checkpoint, which redoes the steps after it, logs each step exactly once.
     */
    public void logProgress(RunHandle run, Map<String, Double> values, long step) {
        if (closed) {
            LOG.warn("tracking: progress metrics for run {} after the tracker was closed; dropped", run.runName());
            return;
        }
        long now = System.currentTimeMillis();
        List<MetricPoint> points = new ArrayList<>(values.size());
        values.forEach((k, v) -> points.add(new MetricPoint(k, v, now, step)));
        try {
            if (!store.appendProgress(run.key(), points, kept -> Payloads.write(new Payloads.Batch(List.copyOf(kept), Map.of(), Map.of())))
                    .isEmpty()) {
                wake();
            }
        } catch (SQLException e) {
            LOG.error("tracking: cannot write progress metrics of run {} to the outbox; they are lost: {}", run.runName(), e.getMessage());
        }
    }

    /** Metric points with their own timestamps. */
    public void logPoints(RunHandle run, List<MetricPoint> points) {
        if (!points.isEmpty()) {
            append(run, RecordKind.LOG_BATCH, new Payloads.Batch(List.copyOf(points), Map.of(), Map.of()));
        }
    }

    // ---- artifacts ----------------------------------------------------------------------------

    /**
     * Uploads a file to artifactDir (null or "" = the run's artifact root) under its own name. The
     * file is read when the record is delivered, so keep it in place (run directories are kept).
     */
    public void logArtifact(RunHandle run, Path file, String artifactDir) {
        append(run, RecordKind.UPLOAD_ARTIFACT, new Payloads.Artifact(file.toAbsolutePath().toString(),
                join(artifactDir, file.getFileName().toString())));
    }

    /** Uploads every file under dir, recursively, keeping its relative path, to artifactDir. */
    public void logArtifacts(RunHandle run, Path dir, String artifactDir) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            LOG.error("tracking: cannot list artifact directory {}: {}", dir, e.getMessage());
            return;
        }
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            append(run, RecordKind.UPLOAD_ARTIFACT,
                    new Payloads.Artifact(f.toAbsolutePath().toString(), join(artifactDir, rel)));
        }
    }

    private static String join(String dir, String rel) {
        if (dir == null || dir.isBlank()) {
            return rel;
        }
        String d = dir.replaceAll("^/+|/+$", "");
        return d.isEmpty() ? rel : d + "/" + rel;
    }

    // ---- delivery -----------------------------------------------------------------------------

    private void append(RunHandle run, RecordKind kind, Object payload) {
        if (closed) {
            LOG.warn("tracking: {} for run {} after the tracker was closed; dropped", kind, run.runName());
            return;
        }
        try {
            store.append(run.key(), kind, Payloads.write(payload));
        } catch (SQLException e) {
            LOG.error("tracking: cannot write a {} record of run {} to the outbox; it is lost: {}", kind,
                    run.runName(), e.getMessage());
        }
        wake();
    }

    private void wake() {
        synchronized (signal) {
            wakeUp = true;
            signal.notifyAll();
        }
    }

    /** Records not yet delivered. */
    public int pendingCount() {
        return count(OutboxStore.PENDING);
    }

    /** Records MLflow refused for good (kept in the outbox table with their error). */
    public int failedCount() {
        return count(OutboxStore.FAILED);
    }

    private int count(String state) {
        try {
            return store.count(state);
        } catch (SQLException e) {
            LOG.error("tracking: cannot read the outbox: {}", e.getMessage());
            return -1;
        }
    }

    /**
     * Tries to deliver everything pending now, retrying until timeout.
     *
     * @return true when nothing is left pending
     */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoff = 200;
        while (true) {
            long left = deadline - System.nanoTime();
            if (deliverOnce(Math.max(0, left)) && pendingCount() == 0) {
                return true;
            }
            left = deadline - System.nanoTime();
            if (left <= 0) {
                return pendingCount() == 0;
            }
            sleep(Math.min(backoff, left / 1_000_000 + 1));
            backoff = Math.min(backoff * 2, retryMax.toMillis());
        }
    }

    /**
     * One delivery pass; false when MLflow could not be reached (or failed) part-way, or another pass
     * (e.g. one stuck on a server that stopped answering) still held the outbox after waitNanos.
     */
    private boolean deliverOnce(long waitNanos) {
        try {
            if (!delivering.tryLock(waitNanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            int n = sender.deliverPending();
            if (unreachable) {
                unreachable = false;
                LOG.info("MLflow at {} is reachable again; waiting tracking records delivered", trackingUri);
            } else if (n > 0) {
                LOG.debug("delivered {} tracking records", n);
            }
            return true;
        } catch (DeliveryException e) {
            if (!unreachable) {
                unreachable = true;
                LOG.warn("MLflow at {} is unreachable or failing; tracking records wait in the outbox and will be"
                        + " sent when it is back ({})", trackingUri, e.getMessage());
            }
            return false;
        } catch (SQLException | RuntimeException e) {
            LOG.error("tracking: delivery failed; will retry: {}", e.toString(), e);
            return false;
        } finally {
            delivering.unlock();
        }
    }

    private void sendLoop() {
        long backoff = 250;
        while (!closed) {
            boolean ok = deliverOnce(Long.MAX_VALUE);
            backoff = ok ? 250 : Math.min(backoff * 2, retryMax.toMillis());
            synchronized (signal) {
                long wait = ok ? 1000 : backoff;
                if (!wakeUp || !ok) {
                    try {
                        signal.wait(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wakeUp = false;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(Math.max(1, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /**
     * Stops the background sender, then delivers what is left for up to the close timeout. Records
     * still pending after that stay in the outbox for the next tracker on the same database.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        wake();
        try {
            worker.join(closeTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!flush(closeTimeout)) {
            LOG.warn("tracking: {} record(s) could not reach MLflow at {} and stay in the outbox; they are sent by"
                    + " the next cddpm run on the same state database", pendingCount(), trackingUri);
        }
        backend.close();
        if (ownPool != null) {
            ownPool.dispose();
        }
    }
}
