package io.cddpm.tracking;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox to a {@link TrackingBackend}, oldest record first, each exactly once:
 * <ul>
 *   <li>consecutive metric/param/tag records of one run go out as MLflow log-batch requests (split
 *       to MLflow's limits: 1000 metrics, 100 params, 100 tags, 1000 entries per request);</li>
 *   <li>before a request starts, its records' attempt counter is committed; after it succeeds they
 *       are marked sent in one transaction. A record with attempts &gt; 0 may already be in MLflow
 *       (the connection broke after the server got it, or the JVM died before marking): its metric
 *       points are checked against the run's metric history and only the missing ones are sent; a
 *       run creation first searches the run by its {@code cddpm.run_key} tag. Params, tags, status
 *       and artifact PUTs are idempotent;</li>
 *   <li>a transient failure stops delivery (order is kept, the caller retries later); a permanent
 *       one marks the records failed, logs it, and delivery goes on.</li>
 * </ul>
 * Not thread-safe: one sender per outbox at a time.
 */
final class OutboxSender {
    static final String RUN_KEY_TAG = "cddpm.run_key";
    static final String PARENT_RUN_TAG = "mlflow.parentRunId";
    /** The experiment tag prefix under which the MLflow UI keeps a shared view ({@code ?viewStateShareKey=KEY}). */
    static final String SHARED_VIEW_PREFIX = "mlflow.sharedViewState.";
    static final int MAX_METRICS = 1000;
    static final int MAX_PARAMS = 100;
    static final int MAX_TAGS = 100;
    static final int MAX_ENTRIES = 1000;
    private static final int PAGE = 500;
    private static final int MAX_GROUP = 200;
    private static final Logger LOG = LoggerFactory.getLogger(OutboxSender.class);

    private final OutboxStore store;
    private final TrackingBackend backend;
    private final Map<String, String> experimentIds = new HashMap<>();
    private final BooleanSupplier holding;

    OutboxSender(OutboxStore store, TrackingBackend backend) {
        this(store, backend, () -> true);
    }

    /** @param holding renews the delivery lease before each request; a pass stops (records stay pending) once it is lost */
    OutboxSender(OutboxStore store, TrackingBackend backend, BooleanSupplier holding) {
        this.store = store;
        this.backend = backend;
        this.holding = holding;
    }

    /**
     * Delivers every pending record.
     *
     * @return how many records were settled (sent or failed for good)
     * @throws DeliveryException (transient) when the server could not take a record; it stays pending
     */
    int deliverPending() throws DeliveryException, SQLException {
        int settled = 0;
        while (true) {
            List<OutboxRecord> page = store.pending(PAGE);
            if (page.isEmpty()) {
                return settled;
            }
            int i = 0;
            while (i < page.size()) {
                if (!holding.getAsBoolean()) {
                    return settled;
                }
                List<OutboxRecord> group = nextGroup(page, i);
                deliver(group);
                i += group.size();
                settled += group.size();
            }
        }
    }

    /** A single record, or consecutive LOG_BATCH records of one run. */
    private static List<OutboxRecord> nextGroup(List<OutboxRecord> page, int from) {
        OutboxRecord first = page.get(from);
        List<OutboxRecord> group = new ArrayList<>();
        group.add(first);
        if (first.kind() != RecordKind.LOG_BATCH) {
            return group;
        }
        for (int i = from + 1; i < page.size() && group.size() < MAX_GROUP; i++) {
            OutboxRecord r = page.get(i);
            if (r.kind() != RecordKind.LOG_BATCH || !r.runKey().equals(first.runKey())) {
                break;
            }
            group.add(r);
        }
        return group;
    }

    private void deliver(List<OutboxRecord> group) throws DeliveryException, SQLException {
        OutboxRecord first = group.get(0);
        OutboxStore.RunRow run = store.run(first.runKey()).orElse(null);
        if (run == null) {
            fail(group, "no local run with key " + first.runKey());
            return;
        }
        if (first.kind() != RecordKind.CREATE_RUN && !run.resolved()) {
            fail(group, "the MLflow run of " + first.runKey() + " was never created");
            return;
        }
        store.markAttempt(group);
        try {
            switch (first.kind()) {
                case CREATE_RUN -> {
                    TrackingBackend.CreatedRun created = create(first, run);
                    store.completeCreate(first, created.runId(), created.experimentId(), created.artifactUri());
                    return;
                }
                case LOG_BATCH -> sendBatch(run.runId(), group);
                case SET_STATUS -> {
                    Payloads.Status s = Payloads.read(first.payload(), Payloads.Status.class);
                    backend.terminate(run.runId(), s.state(), s.endTime());
                }
                case UPLOAD_ARTIFACT -> {
                    Payloads.Artifact a = Payloads.read(first.payload(), Payloads.Artifact.class);
                    backend.upload(run.artifactUri(), a.artifactPath(), Path.of(a.file()));
                }
                case LOG_IMAGE -> sendImage(run, Payloads.read(first.payload(), Payloads.Image.class));
                case LOG_INPUTS -> backend.logInputs(run.runId(), Payloads.read(first.payload(), Payloads.Inputs.class).datasets());
                case LOG_MODEL -> sendModel(run, Payloads.read(first.payload(), Payloads.Model.class));
                case REGISTER_MODEL -> {
                    Payloads.Register r = Payloads.read(first.payload(), Payloads.Register.class);
                    String version = backend.registerModelVersion(r.modelName(), modelSource(run, r.artifactPath()), run.runId(),
                            r.tags() == null ? Map.of() : r.tags());
                    LOG.info("run {}: registered as version {} of model '{}'", run.runId(), version, r.modelName());
                }
                case TAG_MODEL_VERSION -> {
                    Payloads.VersionTags t = Payloads.read(first.payload(), Payloads.VersionTags.class);
                    backend.tagModelVersions(t.modelName(), run.runId(), t.tags() == null ? Map.of() : t.tags());
                }
                case SHARE_VIEW -> {
                    Payloads.View v = Payloads.read(first.payload(), Payloads.View.class);
                    backend.setExperimentTag(run.experimentId(), SHARED_VIEW_PREFIX + v.shareKey(), SharedViews.withExpanded(v.state(), run.runId()));
                }
                case SET_CHAMPION -> {
                    Payloads.Champion c = Payloads.read(first.payload(), Payloads.Champion.class);
                    backend.setBestAlias(c.modelName(), c.alias(), c.scoreTag())
                            .ifPresent(v -> LOG.info("model '{}': alias {} -> version {}", c.modelName(), c.alias(), v));
                }
            }
            store.markSent(group);
        } catch (DeliveryException e) {
            if (e.permanent() && group.size() > 1) {
                // Isolate the record MLflow refuses; the others of the merged batch still go out
                // (as retries: part of the batch may have arrived).
                for (OutboxRecord r : group) {
                    deliver(List.of(new OutboxRecord(r.seq(), r.uid(), r.runKey(), r.kind(), r.payload(),
                            r.attempts() + 1)));
                }
            } else if (e.permanent()) {
                fail(group, e.getMessage());
            } else {
                store.noteError(group, e.getMessage());
                throw e;
            }
        }
    }

    /** The image, its thumbnail (made now from the file: the same bytes on a retry) and the run tag the UI looks for. */
    private void sendImage(OutboxStore.RunRow run, Payloads.Image image) throws DeliveryException {
        Path file = Path.of(image.file());
        String base = ImageArtifacts.base(image.key(), image.step(), image.timestamp(), image.uuid());
        backend.upload(run.artifactUri(), ImageArtifacts.full(base), file);
        withTempFile("cddpm-thumb", ".png", tmp -> {
            try {
                ImageArtifacts.writeThumbnail(file, tmp);
            } catch (java.io.IOException e) {
                throw new DeliveryException("thumbnail of " + file + ": " + e.getMessage(), true, e);
            }
            backend.upload(run.artifactUri(), ImageArtifacts.compressed(base), tmp);
        });
        backend.logBatch(run.runId(), List.of(), Map.of(), Map.of(ImageArtifacts.LOGGED_IMAGES_TAG, "True"));
    }

    /** The model's files, then its MLmodel (which names the run and the files' total size). */
    private void sendModel(OutboxStore.RunRow run, Payloads.Model model) throws DeliveryException {
        long size = 0;
        for (Map.Entry<String, String> f : model.files().entrySet()) {
            Path file = Path.of(f.getValue());
            backend.upload(run.artifactUri(), model.artifactPath() + "/" + f.getKey(), file);
            try {
                size += java.nio.file.Files.size(file);
            } catch (java.io.IOException e) {
                throw new DeliveryException("model file " + file + ": " + e.getMessage(), true, e);
            }
        }
        long total = size;
        // the python_function flavor's loader (MlmodelFile)
        withTempFile("cddpm-pyfunc", ".py", tmp -> {
            try (java.io.InputStream in = OutboxSender.class.getResourceAsStream(MlmodelFile.PYFUNC_RESOURCE)) {
                if (in == null) {
                    throw new DeliveryException("the jar lacks " + MlmodelFile.PYFUNC_RESOURCE, true, null);
                }
                java.nio.file.Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new DeliveryException("cannot write the Python loader: " + e.getMessage(), false, e);
            }
            backend.upload(run.artifactUri(), model.artifactPath() + "/" + MlmodelFile.CODE_DIR + "/" + MlmodelFile.PYFUNC_MODULE + ".py", tmp);
        });
        withTempFile("cddpm-mlmodel", ".yaml", tmp -> {
            try {
                java.nio.file.Files.writeString(tmp, MlmodelFile.text(model, run.runId(), total));
            } catch (java.io.IOException e) {
                throw new DeliveryException("cannot write a temporary MLmodel: " + e.getMessage(), false, e);
            }
            backend.upload(run.artifactUri(), model.artifactPath() + "/MLmodel", tmp);
        });
        // the tag MLflow's log_model sets: the run page lists the directory under "Logged models"
        backend.logBatch(run.runId(), List.of(), Map.of(), Map.of(MlmodelFile.HISTORY_TAG, MlmodelFile.historyJson(model, run.runId())));
    }

    /** Where the registry finds the model directory of a run: under the run's artifact URI. */
    static String modelSource(OutboxStore.RunRow run, String artifactPath) {
        String root = run.artifactUri().endsWith("/") ? run.artifactUri() : run.artifactUri() + "/";
        return root + artifactPath;
    }

    private interface TempFileUse {
        void accept(Path tmp) throws DeliveryException;
    }

    private static void withTempFile(String prefix, String suffix, TempFileUse use) throws DeliveryException {
        Path tmp;
        try {
            tmp = java.nio.file.Files.createTempFile(prefix, suffix);
        } catch (java.io.IOException e) {
            throw new DeliveryException("cannot create a temporary file: " + e.getMessage(), false, e);
        }
        try {
            use.accept(tmp);
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(tmp);
            } catch (java.io.IOException ignored) {
                // a temporary file left behind
            }
        }
    }

    private void fail(List<OutboxRecord> group, String error) throws SQLException {
        LOG.warn("MLflow refused {} tracking record(s) of run {} ({}); they are kept in the outbox as FAILED: {}",
                group.size(), group.get(0).runKey(), group.get(0).kind(), error);
        store.markFailed(group, error);
    }

    private TrackingBackend.CreatedRun create(OutboxRecord rec, OutboxStore.RunRow run) throws DeliveryException,
            SQLException {
        Payloads.CreateRun p = Payloads.read(rec.payload(), Payloads.CreateRun.class);
        String experimentId = experimentIds.get(p.experiment());
        if (experimentId == null) {
            experimentId = backend.experimentId(p.experiment());
            experimentIds.put(p.experiment(), experimentId);
        }
        if (rec.attempts() > 0) {
            var existing = backend.findRun(experimentId, rec.runKey());
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        Map<String, String> tags = new LinkedHashMap<>(p.tags() == null ? Map.of() : p.tags());
        tags.put(RUN_KEY_TAG, rec.runKey());
        if (p.parentKey() != null) {
            var parent = store.run(p.parentKey());
            if (parent.isPresent() && parent.get().resolved()) {
                tags.put(PARENT_RUN_TAG, parent.get().runId());
            } else {
                LOG.warn("parent run {} of {} does not exist in MLflow; creating it as a top-level run",
                        p.parentKey(), rec.runKey());
            }
        }
        return backend.createRun(experimentId, p.runName(), p.startTime(), tags);
    }

    private void sendBatch(String runId, List<OutboxRecord> group) throws DeliveryException {
        List<MetricPoint> metrics = new ArrayList<>();
        Map<String, String> params = new LinkedHashMap<>();
        Map<String, String> tags = new LinkedHashMap<>();
        boolean uncertain = false;
        for (OutboxRecord r : group) {
            Payloads.Batch b = Payloads.read(r.payload(), Payloads.Batch.class);
            if (b.metrics() != null) {
                metrics.addAll(b.metrics());
            }
            if (b.params() != null) {
                params.putAll(b.params());
            }
            if (b.tags() != null) {
                tags.putAll(b.tags());
            }
            uncertain |= r.attempts() > 0;
        }
        if (uncertain && !metrics.isEmpty()) {
            int before = metrics.size();
            metrics = notYetIn(runId, metrics);
            if (metrics.size() < before) {
                LOG.info("run {}: {} of {} metric points had already arrived before the connection broke;"
                        + " sending only the rest", runId, before - metrics.size(), before);
            }
        }
        Iterator<MetricPoint> mi = metrics.iterator();
        Iterator<Map.Entry<String, String>> pi = params.entrySet().iterator();
        Iterator<Map.Entry<String, String>> ti = tags.entrySet().iterator();
        while (mi.hasNext() || pi.hasNext() || ti.hasNext()) {
            Map<String, String> ps = new LinkedHashMap<>();
            while (pi.hasNext() && ps.size() < MAX_PARAMS) {
                var e = pi.next();
                ps.put(e.getKey(), e.getValue());
            }
            Map<String, String> ts = new LinkedHashMap<>();
            while (ti.hasNext() && ts.size() < MAX_TAGS) {
                var e = ti.next();
                ts.put(e.getKey(), e.getValue());
            }
            List<MetricPoint> ms = new ArrayList<>();
            int room = Math.min(MAX_METRICS, MAX_ENTRIES - ps.size() - ts.size());
            while (mi.hasNext() && ms.size() < room) {
                ms.add(mi.next());
            }
            backend.logBatch(runId, ms, ps, ts);
        }
    }

    /** The points not already in the run's metric history (a multiset difference). */
    private List<MetricPoint> notYetIn(String runId, List<MetricPoint> points) throws DeliveryException {
        Map<String, Map<String, Integer>> present = new HashMap<>();
        List<MetricPoint> out = new ArrayList<>();
        for (MetricPoint p : points) {
            Map<String, Integer> counts = present.get(p.key());
            if (counts == null) {
                counts = new HashMap<>();
                for (MetricPoint h : backend.metricHistory(runId, p.key())) {
                    counts.merge(signature(h), 1, Integer::sum);
                }
                present.put(p.key(), counts);
            }
            String sig = signature(p);
            Integer n = counts.get(sig);
            if (n != null && n > 0) {
                counts.put(sig, n - 1);
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static String signature(MetricPoint p) {
        return p.step() + "|" + p.timestamp() + "|" + Double.doubleToLongBits(p.value());
    }
}
