package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Outbox order, batching and exactly-once delivery, against an in-memory H2 and an in-memory MLflow stand-in. */
class OutboxSenderTest {
    /** What a tracking server holds, with switches to fail the way a real one does. */
    static final class FakeServer implements TrackingBackend {
        final Map<String, String> experiments = new LinkedHashMap<>();
        final Map<String, Map<String, String>> runTags = new LinkedHashMap<>();
        final Map<String, Map<String, String>> params = new LinkedHashMap<>();
        final Map<String, List<MetricPoint>> metrics = new LinkedHashMap<>();
        final Map<String, RunState> states = new LinkedHashMap<>();
        final List<String> calls = new ArrayList<>();
        final List<Integer> batchSizes = new ArrayList<>();
        boolean down;
        /** The next write is applied but its response is lost (connection breaks). */
        boolean loseNextResponse;
        String refuseKey;

        private void check(String call) throws DeliveryException {
            if (down) {
                throw new DeliveryException(call + ": connection refused", false, null);
            }
        }

        private void lostResponse(String call) throws DeliveryException {
            if (loseNextResponse) {
                loseNextResponse = false;
                throw new DeliveryException(call + ": connection reset", false, null);
            }
        }

        final Map<String, Map<String, String>> experimentTags = new LinkedHashMap<>();

        @Override
        public void setExperimentTag(String experimentId, String key, String value) throws DeliveryException {
            check("experiment tag");
            experimentTags.computeIfAbsent(experimentId, id -> new LinkedHashMap<>()).put(key, value);
        }

        @Override
        public String experimentId(String name) throws DeliveryException {
            check("experiment");
            return experiments.computeIfAbsent(name, n -> Integer.toString(experiments.size() + 1));
        }

        @Override
        public CreatedRun createRun(String experimentId, String runName, long startTime, Map<String, String> tags)
                throws DeliveryException {
            check("create");
            String id = UUID.randomUUID().toString().replace("-", "");
            runTags.put(id, new LinkedHashMap<>(tags));
            params.put(id, new LinkedHashMap<>());
            metrics.put(id, new ArrayList<>());
            calls.add("create " + runName);
            lostResponse("create");
            return new CreatedRun(id, experimentId, "mlflow-artifacts:/" + experimentId + "/" + id + "/artifacts");
        }

        @Override
        public Optional<CreatedRun> findRun(String experimentId, String runKey) throws DeliveryException {
            check("search");
            return runTags.entrySet().stream()
                    .filter(e -> runKey.equals(e.getValue().get(OutboxSender.RUN_KEY_TAG)))
                    .map(e -> new CreatedRun(e.getKey(), experimentId, "a")).findFirst();
        }

        @Override
        public void logBatch(String runId, List<MetricPoint> ms, Map<String, String> ps, Map<String, String> ts)
                throws DeliveryException {
            check("batch");
            assertTrue(ms.size() <= 1000 && ps.size() <= 100 && ts.size() <= 100
                    && ms.size() + ps.size() + ts.size() <= 1000, "MLflow's log-batch limits");
            for (var e : ps.entrySet()) {
                if (e.getKey().equals(refuseKey)) {
                    throw new DeliveryException("INVALID_PARAMETER_VALUE " + refuseKey, true, null);
                }
                String old = params.get(runId).putIfAbsent(e.getKey(), e.getValue());
                if (old != null && !old.equals(e.getValue())) {
                    throw new DeliveryException("param changed", true, null);
                }
            }
            metrics.get(runId).addAll(ms);
            runTags.get(runId).putAll(ts);
            calls.add("batch");
            batchSizes.add(ms.size() + ps.size() + ts.size());
            lostResponse("batch");
        }

        @Override
        public List<MetricPoint> metricHistory(String runId, String key) throws DeliveryException {
            check("history");
            return metrics.get(runId).stream().filter(m -> m.key().equals(key)).toList();
        }

        @Override
        public void terminate(String runId, RunState state, long endTime) throws DeliveryException {
            check("terminate");
            states.put(runId, state);
            calls.add("terminate " + state);
        }

        @Override
        public void upload(String artifactUri, String artifactPath, Path file) throws DeliveryException {
            check("upload");
            calls.add("upload " + artifactPath);
        }
    }

    private OutboxStore store;
    private FakeServer server;
    private OutboxSender sender;

    @BeforeEach
    void setUp() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = new OutboxStore(ds, "http://127.0.0.1:5000");
        server = new FakeServer();
        sender = new OutboxSender(store, server);
    }

    private String run(String name, String parentKey) throws SQLException {
        String key = UUID.randomUUID().toString();
        store.createRun(key, "exp", name, parentKey,
                Payloads.write(new Payloads.CreateRun("exp", name, parentKey, 1L, Map.of("host", "h"))));
        return key;
    }

    private void metric(String key, String name, double v, long step) throws SQLException {
        store.append(key, RecordKind.LOG_BATCH,
                Payloads.write(new Payloads.Batch(List.of(new MetricPoint(name, v, 1000 + step, step)), Map.of(), Map.of())));
    }

    private void params(String key, Map<String, String> p) throws SQLException {
        store.append(key, RecordKind.LOG_BATCH, Payloads.write(new Payloads.Batch(List.of(), p, Map.of())));
    }

    private String mlflowId(String key) throws SQLException {
        return store.run(key).orElseThrow().runId();
    }

    @Test
    void progressMetricsOfRedoneStepsAreQueuedOnce() throws Exception {
        String r = run("trial", null);
        Function<List<MetricPoint>, String> payload =
                kept -> Payloads.write(new Payloads.Batch(List.copyOf(kept), Map.of(), Map.of()));
        for (long step = 1; step <= 5; step++) {
            store.appendProgress(r, List.of(new MetricPoint("loss", step, 1, step), new MetricPoint("lr", 0.1, 1, step)), payload);
        }
        // a resumed trial redoes steps 4 and 5 and goes on to 7: only 6 and 7 are new
        for (long step = 4; step <= 7; step++) {
            List<MetricPoint> kept = store.appendProgress(r, List.of(new MetricPoint("loss", 100 + step, 2, step)), payload);
            assertEquals(step > 5 ? 1 : 0, kept.size(), "step " + step);
        }
        // a metric key of its own has its own mark
        assertEquals(1, store.appendProgress(r, List.of(new MetricPoint("accuracy_test", 0.5, 3, 2)), payload).size());
        sender.deliverPending();
        List<MetricPoint> loss = server.metrics.get(mlflowId(r)).stream().filter(m -> m.key().equals("loss")).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), loss.stream().map(MetricPoint::step).toList());
        assertEquals(5.0, loss.get(4).value(), "the first value of a step is kept");
    }

    @Test
    void deliversInOrderWithParentTagAndMergesConsecutiveBatches() throws Exception {
        String parent = run("sweep", null);
        String child = run("trial", parent);
        params(child, Map.of("diffusion.beta_schedule", "linear"));
        for (int s = 0; s < 10; s++) {
            metric(child, "loss", 1.0 / (s + 1), s);
        }
        store.append(child, RecordKind.UPLOAD_ARTIFACT, Payloads.write(new Payloads.Artifact("/x/grid.png", "grid.png")));
        store.append(child, RecordKind.SET_STATUS, Payloads.write(new Payloads.Status(RunState.FINISHED, 5L)));

        assertEquals(15, sender.deliverPending());

        assertEquals(List.of("create sweep", "create trial", "batch", "upload grid.png", "terminate FINISHED"),
                server.calls);
        assertEquals(mlflowId(parent), server.runTags.get(mlflowId(child)).get("mlflow.parentRunId"));
        assertEquals(child, server.runTags.get(mlflowId(child)).get(OutboxSender.RUN_KEY_TAG));
        assertEquals(10, server.metrics.get(mlflowId(child)).size());
        assertEquals(0, store.count(OutboxStore.PENDING));
        assertEquals(15, store.count(OutboxStore.SENT));
    }

    /** Issue 31: the sweep's view names its parent run to expand by the MLflow id it got, known only when delivered. */
    @Test
    void aSharedViewExpandsTheRunByItsMlflowId() throws Exception {
        String parent = run("sweep", null);
        store.append(parent, RecordKind.SHARE_VIEW, Payloads.write(new Payloads.View("cddpm", "{\"searchFilter\":\"\",\"runsExpanded\":{}}")));
        sender.deliverPending();
        String value = server.experimentTags.get("1").get("mlflow.sharedViewState.cddpm");
        assertEquals("{\"searchFilter\":\"\",\"runsExpanded\":{\"" + mlflowId(parent) + "\":true}}", value);
        assertEquals(0, store.count(OutboxStore.PENDING));
    }

    @Test
    void waitsWhileServerIsDownThenDeliversEverythingOnce() throws Exception {
        server.down = true;
        String r = run("trial", null);
        metric(r, "loss", 0.5, 1);
        assertThrows(DeliveryException.class, sender::deliverPending);
        metric(r, "loss", 0.4, 2);
        assertThrows(DeliveryException.class, sender::deliverPending);
        assertTrue(store.run(r).orElseThrow().runId() == null, "run id deferred while offline");
        assertEquals(3, store.count(OutboxStore.PENDING));

        server.down = false;
        sender.deliverPending();
        assertEquals(1, server.runTags.size());
        assertEquals(List.of(0.5, 0.4), server.metrics.get(mlflowId(r)).stream().map(MetricPoint::value).toList());
        assertEquals(0, store.count(OutboxStore.PENDING));
    }

    @Test
    void lostResponseOfBatchDoesNotDuplicateMetricPoints() throws Exception {
        String r = run("trial", null);
        sender.deliverPending();
        for (int s = 0; s < 5; s++) {
            metric(r, "loss", 0.1 * s, s);
        }
        server.loseNextResponse = true;
        assertThrows(DeliveryException.class, sender::deliverPending);
        assertEquals(5, server.metrics.get(mlflowId(r)).size(), "the server got the batch");
        metric(r, "loss", 9.0, 5);

        sender.deliverPending();

        assertEquals(6, server.metrics.get(mlflowId(r)).size(), "each point exactly once");
        assertEquals(0, store.count(OutboxStore.PENDING));
    }

    @Test
    void lostResponseOfRunCreationDoesNotCreateASecondRun() throws Exception {
        String r = run("trial", null);
        server.loseNextResponse = true;
        assertThrows(DeliveryException.class, sender::deliverPending);
        metric(r, "loss", 1.0, 0);

        sender.deliverPending();

        assertEquals(1, server.runTags.size());
        assertEquals(1, server.metrics.get(mlflowId(r)).size());
    }

    @Test
    void splitsLargeBatchesToMlflowLimits() throws Exception {
        String r = run("trial", null);
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 250; i++) {
            many.put("p" + i, Integer.toString(i));
        }
        params(r, many);
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            points.add(new MetricPoint("loss", i, i, i));
        }
        store.append(r, RecordKind.LOG_BATCH, Payloads.write(new Payloads.Batch(points, Map.of(), Map.of())));

        sender.deliverPending();

        assertEquals(250, server.params.get(mlflowId(r)).size());
        assertEquals(2500, server.metrics.get(mlflowId(r)).size());
        assertTrue(server.batchSizes.stream().allMatch(n -> n <= 1000));
    }

    @Test
    void refusedRecordIsMarkedFailedAndDeliveryGoesOn() throws Exception {
        String r = run("trial", null);
        server.refuseKey = "bad";
        params(r, Map.of("bad", "x"));
        store.append(r, RecordKind.SET_STATUS, Payloads.write(new Payloads.Status(RunState.FAILED, 5L)));
        metric(r, "loss", 1.0, 0);

        sender.deliverPending();

        assertEquals(1, store.count(OutboxStore.FAILED));
        assertEquals(RunState.FAILED, server.states.get(mlflowId(r)));
        assertEquals(1, server.metrics.get(mlflowId(r)).size());
        assertFalse(server.params.get(mlflowId(r)).containsKey("bad"));
    }

    @Test
    void refusedParamDoesNotTakeTheMetricsOfItsMergedBatchWithIt() throws Exception {
        String r = run("trial", null);
        sender.deliverPending();
        metric(r, "loss", 1.0, 0);
        server.refuseKey = "bad";
        params(r, Map.of("bad", "x"));
        metric(r, "loss", 0.5, 1);

        sender.deliverPending();

        assertEquals(1, store.count(OutboxStore.FAILED));
        assertEquals(List.of(0L, 1L), server.metrics.get(mlflowId(r)).stream().map(MetricPoint::step).toList());
    }

    @Test
    void recordsLeftPendingByADeadProcessAreNotDuplicated() throws Exception {
        String r = run("trial", null);
        sender.deliverPending();
        metric(r, "loss", 1.0, 0);
        metric(r, "loss", 0.5, 1);
        // the earlier process sent them, then died before marking them sent
        server.logBatch(mlflowId(r), List.of(new MetricPoint("loss", 1.0, 1000, 0), new MetricPoint("loss", 0.5, 1001, 1)),
                Map.of(), Map.of());
        store.markPendingUncertain();

        sender.deliverPending();

        assertEquals(2, server.metrics.get(mlflowId(r)).size());
        assertEquals(0, store.count(OutboxStore.PENDING));
    }

    @Test
    void purgeKeepsRecentAndPendingRecords() throws Exception {
        String r = run("trial", null);
        sender.deliverPending();
        metric(r, "loss", 1.0, 0);
        assertEquals(0, store.purgeSent(7));
        assertEquals(1, store.count(OutboxStore.SENT));
        assertEquals(1, store.purgeSent(-1));
        assertEquals(0, store.count(OutboxStore.SENT));
        assertEquals(1, store.count(OutboxStore.PENDING));
    }
}
