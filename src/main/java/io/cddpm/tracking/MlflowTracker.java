package io.cddpm.tracking;

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
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Tracker} of an MLflow server: every call becomes a record in the outbox
 * ({@link OutboxStore}, in the state database) and returns; {@link OutboxDelivery} sends the records
 * in order, each exactly once, while this tracker is open, and the next tracker on the same database
 * sends whatever is left. Training-progress metrics are buffered in memory and moved into the outbox
 * by the delivery worker, so a training step pays no database write. Thread-safe.
 */
public final class MlflowTracker implements Tracker {
    /** Run description in the MLflow UI; a failed run's error goes here and into {@link #ERROR_TAG}. */
    public static final String NOTE_TAG = "mlflow.note.content";
    public static final String ERROR_TAG = "cddpm.error";
    /** Delivered records are kept this long in the outbox table, for inspection, then deleted. */
    public static final int SENT_RETENTION_DAYS = 7;
    private static final Logger LOG = LoggerFactory.getLogger(MlflowTracker.class);
    private static final int MAX_TEXT = 5000;

    /** Progress points of one step, waiting to be queued. */
    private record Progress(RunHandle run, List<MetricPoint> points) {}

    private final String trackingUri;
    private final String serverId;
    private final OutboxStore store;
    private final MlflowBackend backend;
    private final OutboxDelivery delivery;
    private final Duration closeTimeout;
    private final int leaseSeconds = leaseSeconds();
    private final ConcurrentLinkedQueue<Progress> progress = new ConcurrentLinkedQueue<>();
    /** This tracker's name in the outbox's delivery lease. */
    private final String holder = "pid " + ProcessHandle.current().pid() + " " + UUID.randomUUID();
    private volatile boolean closed;

    /** Tracker on the server at trackingUri with its outbox in the database of outboxDb. */
    public MlflowTracker(String trackingUri, DataSource outboxDb) {
        this(trackingUri, outboxDb, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /**
     * @param retryMax     longest wait between two delivery attempts while MLflow is down
     * @param closeTimeout how long {@link #close()} keeps trying to deliver what is left
     */
    public MlflowTracker(String trackingUri, DataSource outboxDb, Duration retryMax, Duration closeTimeout) {
        this(trackingUri, null, outboxDb, retryMax, closeTimeout);
    }

    /**
     * @param serverId the server's identity in the outbox: records (and runs) are kept under it and only those
     *                 of this identity are sent; null = the tracking URI. A local server started per command gets
     *                 a new port each time, so its identity is its data folder ({@link TrackingEndpoint#serverId()}).
     */
    public MlflowTracker(String trackingUri, String serverId, DataSource outboxDb, Duration retryMax, Duration closeTimeout) {
        this.trackingUri = stripSlash(Objects.requireNonNull(trackingUri, "trackingUri"));
        this.serverId = serverId == null ? this.trackingUri : stripSlash(serverId);
        this.store = new OutboxStore(outboxDb, this.serverId);
        try {
            // Records still pending from an earlier process may have reached MLflow just before it died
            // (its "sent" mark lost): deliver them as retries, which never duplicate.
            store.markPendingUncertain();
            store.purgeSent(SENT_RETENTION_DAYS);
        } catch (SQLException e) {
            LOG.error("tracking: cannot read the outbox: {}", e.getMessage());
        }
        this.backend = new MlflowBackend(this.trackingUri);
        this.closeTimeout = closeTimeout;
        this.delivery = new OutboxDelivery(this.trackingUri, new OutboxSender(store, backend, this::holdLease), this::queueProgress,
                this::holdLease, retryMax);
        delivery.start();
    }

    /** System property: how long a process may deliver a server's records before another may take over (seconds, default 20). */
    public static final String LEASE_PROPERTY = "cddpm.tracking.leaseSeconds";

    static int leaseSeconds() {
        String value = System.getProperty(LEASE_PROPERTY, "20");
        try {
            int seconds = Integer.parseInt(value.trim());
            if (seconds >= 1) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new io.cddpm.core.InvalidInputException("-D" + LEASE_PROPERTY + "=" + value + ": seconds, a whole number >= 1");
    }

    /** Takes or renews the outbox's delivery lease for this tracker's server; false while another process holds it. */
    private boolean holdLease() {
        try {
            return store.takeLease(holder, leaseSeconds);
        } catch (SQLException e) {
            LOG.warn("tracking: cannot take the outbox delivery lease: {}", e.getMessage());
            return false;
        }
    }

    private static String stripSlash(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    @Override
    public String uri() {
        return trackingUri;
    }

    /** The server's identity in the outbox (its tracking URI, or a local server's data folder). */
    public String serverId() {
        return serverId;
    }

    // ---- runs ---------------------------------------------------------------------------------

    @Override
    public RunHandle startRun(String experiment, String runName, Map<String, String> tags) {
        return start(experiment, runName, null, tags);
    }

    @Override
    public RunHandle startChildRun(RunHandle parent, String runName, Map<String, String> tags) {
        return start(parent.experiment(), runName, parent.key(), tags);
    }

    private RunHandle start(String experiment, String runName, String parentKey, Map<String, String> tags) {
        Objects.requireNonNull(experiment, "experiment");
        RunHandle run = new RunHandle(UUID.randomUUID().toString(), experiment, runName);
        String payload = Payloads.write(new Payloads.CreateRun(experiment, runName, parentKey,
                System.currentTimeMillis(), tags == null ? Map.of() : new LinkedHashMap<>(tags)));
        queueProgress();
        try {
            store.createRun(run.key(), experiment, runName, parentKey, payload);
        } catch (SQLException e) {
            LOG.error("tracking: cannot write run creation of '{}' to the outbox; the run will not be tracked: {}",
                    runName, e.getMessage());
        }
        delivery.wake();
        return run;
    }

    @Override
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

    @Override
    public void finishRun(RunHandle run) {
        endRun(run, RunState.FINISHED);
    }

    @Override
    public void failRun(RunHandle run, String error) {
        String text = error == null ? "failed" : error;
        setTags(run, Map.of(ERROR_TAG, abbreviate(text), NOTE_TAG, abbreviate("Failed: " + text)));
        endRun(run, RunState.FAILED);
    }

    private void endRun(RunHandle run, RunState state) {
        append(run, RecordKind.SET_STATUS, new Payloads.Status(state, System.currentTimeMillis()));
    }

    // ---- params, metrics, tags ----------------------------------------------------------------

    @Override
    public void logParams(RunHandle run, Map<String, String> params) {
        if (!params.isEmpty()) {
            append(run, RecordKind.LOG_BATCH, new Payloads.Batch(List.of(), new LinkedHashMap<>(params), Map.of()));
        }
    }

    @Override
    public void setTags(RunHandle run, Map<String, String> tags) {
        if (!tags.isEmpty()) {
            append(run, RecordKind.LOG_BATCH, new Payloads.Batch(List.of(), Map.of(), new LinkedHashMap<>(tags)));
        }
    }

    @Override
    public void logMetrics(RunHandle run, Map<String, Double> values, long step) {
        logPoints(run, points(values, step));
    }

    @Override
    public void logPoints(RunHandle run, List<MetricPoint> points) {
        if (!points.isEmpty()) {
            append(run, RecordKind.LOG_BATCH, new Payloads.Batch(List.copyOf(points), Map.of(), Map.of()));
        }
    }

    @Override
    public void logProgress(RunHandle run, Map<String, Double> values, long step) {
        if (closed) {
            LOG.warn("tracking: progress metrics for run {} after the tracker was closed; dropped", run.runName());
            return;
        }
        progress.add(new Progress(run, points(values, step)));
    }

    @Override
    public long lastProgressStep(RunHandle run, String key) {
        if (closed) {
            return -1;
        }
        queueProgress(); // the buffered points first, so their steps count
        try {
            return store.maxProgressStep(run.key(), key);
        } catch (SQLException e) {
            LOG.error("tracking: cannot read the last step of {} in run {}: {}", key, run.runName(), e.getMessage());
            return -1;
        }
    }

    /** Moves the buffered progress points into the outbox now (one transaction per run). */
    @Override
    public void flushProgress() {
        if (!closed) {
            queueProgress();
            delivery.wake();
        }
    }

    private static List<MetricPoint> points(Map<String, Double> values, long step) {
        long now = System.currentTimeMillis();
        List<MetricPoint> points = new ArrayList<>(values.size());
        values.forEach((k, v) -> points.add(new MetricPoint(k, v, now, step)));
        return points;
    }

    /**
     * Moves buffered progress points into the outbox, consecutive points of one run in one
     * transaction that also raises the run's per-key high-water marks. Runs before every other
     * record is queued, so records keep the order they were logged in.
     */
    private synchronized void queueProgress() {
        Progress head = progress.poll();
        while (head != null) {
            RunHandle run = head.run();
            List<MetricPoint> points = new ArrayList<>(head.points());
            Progress next = progress.poll();
            while (next != null && next.run().key().equals(run.key())) {
                points.addAll(next.points());
                next = progress.poll();
            }
            try {
                store.appendProgress(run.key(), points, kept -> Payloads.write(new Payloads.Batch(List.copyOf(kept), Map.of(), Map.of())));
            } catch (SQLException e) {
                LOG.error("tracking: cannot write progress metrics of run {} to the outbox; they are lost: {}", run.runName(),
                        e.getMessage());
            }
            head = next;
        }
    }

    // ---- artifacts ----------------------------------------------------------------------------

    /** The file is read when the record is delivered, so keep it in place (run folders are kept). */
    @Override
    public void logArtifact(RunHandle run, Path file, String artifactDir) {
        append(run, RecordKind.UPLOAD_ARTIFACT, new Payloads.Artifact(file.toAbsolutePath().toString(),
                join(artifactDir, file.getFileName().toString())));
    }

    @Override
    public void logImage(RunHandle run, Path png, String key, long step) {
        ImageArtifacts.checkKey(key);
        append(run, RecordKind.LOG_IMAGE, new Payloads.Image(png.toAbsolutePath().toString(), key, Math.max(0, step),
                System.currentTimeMillis(), UUID.randomUUID().toString()));
    }

    @Override
    public void logInputs(RunHandle run, List<DatasetInput> inputs) {
        if (!inputs.isEmpty()) {
            append(run, RecordKind.LOG_INPUTS, new Payloads.Inputs(List.copyOf(inputs)));
        }
    }

    @Override
    public void logModel(RunHandle run, String artifactPath, String flavor, Map<String, Path> files, Map<String, String> flavorConf,
            Map<String, String> metadata) {
        Map<String, String> paths = new LinkedHashMap<>();
        files.forEach((name, file) -> paths.put(name, file.toAbsolutePath().toString()));
        String created = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
                .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC));
        append(run, RecordKind.LOG_MODEL, new Payloads.Model(trim(artifactPath), flavor, paths, new LinkedHashMap<>(flavorConf),
                new LinkedHashMap<>(metadata), UUID.randomUUID().toString().replace("-", ""), created));
    }

    @Override
    public void registerModel(RunHandle run, String modelName, String artifactPath, Map<String, String> versionTags) {
        append(run, RecordKind.REGISTER_MODEL, new Payloads.Register(modelName, trim(artifactPath), new LinkedHashMap<>(versionTags)));
    }

    @Override
    public void tagModelVersion(RunHandle run, String modelName, Map<String, String> tags) {
        if (!tags.isEmpty()) {
            append(run, RecordKind.TAG_MODEL_VERSION, new Payloads.VersionTags(modelName, new LinkedHashMap<>(tags)));
        }
    }

    @Override
    public void setBestAlias(RunHandle run, String modelName, String alias, String scoreTag) {
        append(run, RecordKind.SET_CHAMPION, new Payloads.Champion(modelName, alias, scoreTag));
    }

    private static String trim(String path) {
        return path.replaceAll("^/+|/+$", "");
    }

    private static String join(String dir, String rel) {
        if (dir == null || dir.isBlank()) {
            return rel;
        }
        String d = dir.replaceAll("^/+|/+$", "");
        return d.isEmpty() ? rel : d + "/" + rel;
    }

    // ---- delivery -----------------------------------------------------------------------------

    @Override
    public void shareView(RunHandle run, String shareKey, Map<String, Object> state) {
        append(run, RecordKind.SHARE_VIEW, new Payloads.View(shareKey, Payloads.write(state)));
    }

    @Override
    public Optional<String> viewLink(String experiment, String shareKey) {
        try {
            String id = backend.experimentId(experiment);
            String page = trackingUri + "/#/experiments/" + id;
            return Optional.of(backend.hasExperimentTag(id, OutboxSender.SHARED_VIEW_PREFIX + shareKey)
                    ? page + "?viewStateShareKey=" + shareKey + "&compareRunsMode=CHART" : page);
        } catch (DeliveryException e) {
            LOG.debug("no link to the view of experiment {}: {}", experiment, e.getMessage());
            return Optional.empty();
        }
    }

    private void append(RunHandle run, RecordKind kind, Object payload) {
        if (closed) {
            LOG.warn("tracking: {} for run {} after the tracker was closed; dropped", kind, run.runName());
            return;
        }
        queueProgress();
        try {
            store.append(run.key(), kind, Payloads.write(payload));
        } catch (SQLException e) {
            LOG.error("tracking: cannot write a {} record of run {} to the outbox; it is lost: {}", kind,
                    run.runName(), e.getMessage());
        }
        delivery.wake();
    }

    @Override
    public int pendingCount() {
        try {
            return store.pendingUpToLast() + progress.size();
        } catch (SQLException e) {
            LOG.error("tracking: cannot read the outbox: {}", e.getMessage());
            return -1;
        }
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

    /** Tries to deliver everything pending now, retrying until timeout; true when nothing is left. */
    public boolean flush(Duration timeout) {
        return delivery.flush(timeout, this::pendingCount);
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 3) + "...";
    }

    /**
     * Stops the background worker, then delivers what is left for up to the close timeout, once.
     * Records still pending after that stay in the outbox for the next tracker on the same database.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        queueProgress();
        closed = true;
        delivery.stop(Duration.ofSeconds(2));
        flush(closeTimeout);
        try {
            store.releaseLease(holder);
        } catch (SQLException e) {
            LOG.debug("tracking: cannot release the delivery lease (it expires by itself): {}", e.getMessage());
        }
        backend.close();
    }
}
