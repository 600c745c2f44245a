package io.cddpm.tracking;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The tracking outbox in H2 (any JDBC database with H2's SQL dialect): every record for MLflow is
 * written here first and only then delivered, in {@code seq} order. Two tables, created if absent:
 * {@code TRACKING_OUTBOX} (the records) and {@code TRACKING_RUN} (local run key -> the tracking server
 * it belongs to and, once its creation is delivered, its MLflow run id). A store works for one
 * server: it creates runs for it and delivers only the records of its runs; records for other
 * servers wait for a run that tracks to them. A record's state moves PENDING -> SENT or
 * PENDING -> FAILED (MLflow refused it for good); a group of records becomes SENT in one transaction.
 */
final class OutboxStore {
    static final String PENDING = "PENDING";
    static final String SENT = "SENT";
    static final String FAILED = "FAILED";

    /** A local run and, once created in MLflow, its ids. */
    record RunRow(String key, String experiment, String runName, String parentKey, String runId,
            String experimentId, String artifactUri) {
        boolean resolved() {
            return runId != null;
        }
    }

    /** Work inside one transaction. */
    @FunctionalInterface
    private interface Work<T> {
        T in(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    private final String trackingUri;

    /** The outbox of the server at trackingUri: runs are created for it, and only its records are delivered. */
    OutboxStore(DataSource dataSource, String trackingUri) {
        this.dataSource = dataSource;
        this.trackingUri = trackingUri;
        createTables(dataSource);
    }

    /** Runs work in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T transaction(Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.in(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** Creates the outbox tables when absent. */
    static void createTables(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS TRACKING_OUTBOX (
                      SEQ BIGINT AUTO_INCREMENT PRIMARY KEY,
                      UID VARCHAR(36) NOT NULL UNIQUE,
                      RUN_KEY VARCHAR(200) NOT NULL,
                      KIND VARCHAR(20) NOT NULL,
                      PAYLOAD CLOB NOT NULL,
                      STATE VARCHAR(10) NOT NULL,
                      ATTEMPTS INT DEFAULT 0 NOT NULL,
                      LAST_ERROR VARCHAR(2000),
                      CREATED_AT TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
                      SENT_AT TIMESTAMP WITH TIME ZONE)""");
            s.execute("CREATE INDEX IF NOT EXISTS TRACKING_OUTBOX_STATE ON TRACKING_OUTBOX(STATE, SEQ)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS TRACKING_RUN (
                      RUN_KEY VARCHAR(200) PRIMARY KEY,
                      EXPERIMENT VARCHAR(500) NOT NULL,
                      RUN_NAME VARCHAR(500),
                      PARENT_KEY VARCHAR(200),
                      MLFLOW_RUN_ID VARCHAR(64),
                      EXPERIMENT_ID VARCHAR(64),
                      ARTIFACT_URI VARCHAR(2000),
                      CREATED_AT TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL)""");
            // the server a run (and so each of its records) was made for; NULL for runs queued before records named their server
            s.execute("ALTER TABLE TRACKING_RUN ADD COLUMN IF NOT EXISTS TRACKING_URI VARCHAR(2000)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS TRACKING_METRIC_MARK (
                      RUN_KEY VARCHAR(200) NOT NULL,
                      METRIC_KEY VARCHAR(250) NOT NULL,
                      MAX_STEP BIGINT NOT NULL,
                      PRIMARY KEY (RUN_KEY, METRIC_KEY))""");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the tracking outbox tables: " + e.getMessage(), e);
        }
    }

    /** Registers a local run of this store's server and queues its creation, in one transaction. */
    void createRun(String runKey, String experiment, String runName, String parentKey, String createPayload)
            throws SQLException {
        transaction(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO TRACKING_RUN(RUN_KEY, EXPERIMENT, RUN_NAME, PARENT_KEY, TRACKING_URI) VALUES (?,?,?,?,?)")) {
                p.setString(1, runKey);
                p.setString(2, experiment);
                p.setString(3, runName);
                p.setString(4, parentKey);
                p.setString(5, trackingUri);
                p.executeUpdate();
            }
            return insert(c, runKey, RecordKind.CREATE_RUN, createPayload);
        });
    }

    /** Queues one record; returns its unique id. */
    String append(String runKey, RecordKind kind, String payload) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return insert(c, runKey, kind, payload);
        }
    }

    /**
     * Queues the points whose step is beyond the highest step already queued for their metric key in
     * this run, and raises those marks, in one transaction; returns the points kept. A trial resumed
     * from a checkpoint redoes the steps after it: their points are not queued a second time.
     */
    List<MetricPoint> appendProgress(String runKey, List<MetricPoint> points, Function<List<MetricPoint>, String> payload)
            throws SQLException {
        return transaction(c -> {
            List<MetricPoint> kept = new ArrayList<>();
            Map<String, Long> marks = new HashMap<>();
            for (MetricPoint point : points) {
                Long mark = marks.get(point.key());
                if (mark == null) {
                    try (PreparedStatement p = c.prepareStatement(
                            "SELECT MAX_STEP FROM TRACKING_METRIC_MARK WHERE RUN_KEY = ? AND METRIC_KEY = ?")) {
                        p.setString(1, runKey);
                        p.setString(2, point.key());
                        try (ResultSet r = p.executeQuery()) {
                            mark = r.next() ? r.getLong(1) : Long.MIN_VALUE;
                        }
                    }
                }
                if (point.step() > mark) {
                    kept.add(point);
                    mark = point.step();
                }
                marks.put(point.key(), mark);
            }
            if (!kept.isEmpty()) {
                insert(c, runKey, RecordKind.LOG_BATCH, payload.apply(kept));
                try (PreparedStatement p = c.prepareStatement(
                        "MERGE INTO TRACKING_METRIC_MARK (RUN_KEY, METRIC_KEY, MAX_STEP) KEY (RUN_KEY, METRIC_KEY) VALUES (?, ?, ?)")) {
                    for (Map.Entry<String, Long> m : marks.entrySet()) {
                        p.setString(1, runKey);
                        p.setString(2, m.getKey());
                        p.setLong(3, m.getValue());
                        p.addBatch();
                    }
                    p.executeBatch();
                }
            }
            return kept;
        });
    }

    private static String insert(Connection c, String runKey, RecordKind kind, String payload) throws SQLException {
        String uid = UUID.randomUUID().toString();
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO TRACKING_OUTBOX(UID, RUN_KEY, KIND, PAYLOAD, STATE) VALUES (?,?,?,?,?)")) {
            p.setString(1, uid);
            p.setString(2, runKey);
            p.setString(3, kind.name());
            p.setString(4, payload);
            p.setString(5, PENDING);
            p.executeUpdate();
        }
        return uid;
    }

    /** The oldest pending records of this store's server, in delivery order. */
    List<OutboxRecord> pending(int limit) throws SQLException {
        List<OutboxRecord> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement p = c.prepareStatement("SELECT o.SEQ, o.UID, o.RUN_KEY, o.KIND, o.PAYLOAD, o.ATTEMPTS"
                        + " FROM TRACKING_OUTBOX o JOIN TRACKING_RUN r ON r.RUN_KEY = o.RUN_KEY"
                        + " WHERE o.STATE = ? AND r.TRACKING_URI = ? ORDER BY o.SEQ LIMIT ?")) {
            p.setString(1, PENDING);
            p.setString(2, trackingUri);
            p.setInt(3, limit);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new OutboxRecord(r.getLong(1), r.getString(2), r.getString(3),
                            RecordKind.valueOf(r.getString(4)), r.getString(5), r.getInt(6)));
                }
            }
        }
        return out;
    }

    /** Notes that delivery of these records starts: from now on their outcome is unknown until marked. */
    void markAttempt(List<OutboxRecord> records) throws SQLException {
        update(records, "UPDATE TRACKING_OUTBOX SET ATTEMPTS = ATTEMPTS + 1 WHERE SEQ = ?", null);
    }

    /** Deletes records delivered more than days ago (the outbox would otherwise grow with every metric). */
    int purgeSent(int days) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement p = c.prepareStatement("DELETE FROM TRACKING_OUTBOX WHERE STATE = ?"
                        + " AND SENT_AT < DATEADD('DAY', ?, CURRENT_TIMESTAMP)")) {
            p.setString(1, SENT);
            p.setInt(2, -days);
            return p.executeUpdate();
        }
    }

    /** Counts every pending record of this server as attempted once more (their outcome is unknown). */
    void markPendingUncertain() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement p = c.prepareStatement("UPDATE TRACKING_OUTBOX SET ATTEMPTS = ATTEMPTS + 1 WHERE STATE = ?"
                        + " AND RUN_KEY IN (SELECT RUN_KEY FROM TRACKING_RUN WHERE TRACKING_URI = ?)")) {
            p.setString(1, PENDING);
            p.setString(2, trackingUri);
            p.executeUpdate();
        }
    }

    /** Notes a failed attempt that will be retried. */
    void noteError(List<OutboxRecord> records, String error) throws SQLException {
        update(records, "UPDATE TRACKING_OUTBOX SET LAST_ERROR = ? WHERE SEQ = ?", error);
    }

    /** Marks the records delivered, all or none. */
    void markSent(List<OutboxRecord> records) throws SQLException {
        update(records, "UPDATE TRACKING_OUTBOX SET STATE = '" + SENT + "', SENT_AT = CURRENT_TIMESTAMP,"
                + " LAST_ERROR = NULL WHERE SEQ = ?", null);
    }

    /** Marks the records refused for good (never retried), all or none. */
    void markFailed(List<OutboxRecord> records, String error) throws SQLException {
        update(records, "UPDATE TRACKING_OUTBOX SET STATE = '" + FAILED + "', LAST_ERROR = ? WHERE SEQ = ?", error);
    }

    /** Marks the creation record sent and stores the MLflow ids of its run, in one transaction. */
    void completeCreate(OutboxRecord create, String runId, String experimentId, String artifactUri)
            throws SQLException {
        transaction(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE TRACKING_RUN SET MLFLOW_RUN_ID = ?,"
                    + " EXPERIMENT_ID = ?, ARTIFACT_URI = ? WHERE RUN_KEY = ?")) {
                p.setString(1, runId);
                p.setString(2, experimentId);
                p.setString(3, artifactUri);
                p.setString(4, create.runKey());
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE TRACKING_OUTBOX SET STATE = '" + SENT
                    + "', SENT_AT = CURRENT_TIMESTAMP, LAST_ERROR = NULL WHERE SEQ = ?")) {
                p.setLong(1, create.seq());
                p.executeUpdate();
            }
            return null;
        });
    }

    private void update(List<OutboxRecord> records, String sql, String error) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        transaction(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (OutboxRecord r : records) {
                    int i = 1;
                    if (error != null) {
                        p.setString(i++, truncate(error));
                    }
                    p.setLong(i, r.seq());
                    p.addBatch();
                }
                return p.executeBatch();
            }
        });
    }

    private static String truncate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    Optional<RunRow> run(String runKey) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement p = c.prepareStatement("SELECT RUN_KEY, EXPERIMENT, RUN_NAME, PARENT_KEY,"
                        + " MLFLOW_RUN_ID, EXPERIMENT_ID, ARTIFACT_URI FROM TRACKING_RUN WHERE RUN_KEY = ?")) {
            p.setString(1, runKey);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new RunRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                        r.getString(5), r.getString(6), r.getString(7)));
            }
        }
    }

    /** Number of records of this store's server in a state. */
    int count(String state) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM TRACKING_OUTBOX WHERE STATE = ?"
                        + " AND RUN_KEY IN (SELECT RUN_KEY FROM TRACKING_RUN WHERE TRACKING_URI = ?)")) {
            p.setString(1, state);
            p.setString(2, trackingUri);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }
}
