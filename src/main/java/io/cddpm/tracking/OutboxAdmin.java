package io.cddpm.tracking;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * What waits in the tracking outbox, by the server it belongs to, and what to do with it:
 * {@code cddpm outbox list|send|drop}. A record belongs to the server of its run (TRACKING_RUN.TRACKING_URI:
 * a tracking URI, or {@code local:<data folder>} for the local server); runs queued before records named
 * their server have none: "(unknown server)". A tracker only ever sends its own server's records, so
 * records of another server wait until a run tracks to it again, or until they are sent or dropped here.
 */
public final class OutboxAdmin {
    /** How {@link #list()} shows records of runs that name no server. */
    public static final String UNKNOWN = "(unknown server)";

    /** The waiting records of one server (null = unknown). */
    public record Waiting(String server, int pending, int failed) {
        public String label() {
            return server == null ? UNKNOWN : server;
        }
    }

    /** What a send did: records delivered, and records of that server still pending afterwards. */
    public record Sent(int delivered, int left) {}

    private static final String OF_SERVER = " AND RUN_KEY IN (SELECT RUN_KEY FROM TRACKING_RUN WHERE TRACKING_URI = ?)";
    /** Runs with a NULL server, and records whose run is not registered at all. */
    private static final String OF_UNKNOWN = " AND RUN_KEY NOT IN (SELECT RUN_KEY FROM TRACKING_RUN WHERE TRACKING_URI IS NOT NULL)";

    private final DataSource db;

    public OutboxAdmin(DataSource db) {
        this.db = db;
        OutboxStore.createTables(db);
    }

    /** The MLflow run ids of the given local run keys, for those whose creation has reached MLflow. */
    public java.util.Map<String, String> mlflowRunIds(java.util.Collection<String> runKeys) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement p = c.prepareStatement("SELECT MLFLOW_RUN_ID FROM TRACKING_RUN WHERE RUN_KEY = ?")) {
            for (String key : runKeys) {
                p.setString(1, key);
                try (ResultSet r = p.executeQuery()) {
                    if (r.next() && r.getString(1) != null) {
                        out.put(key, r.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the tracking outbox: " + e.getMessage(), e);
        }
        return out;
    }

    /** Pending and failed records per server, unknown last. */
    public List<Waiting> list() {
        List<Waiting> out = new ArrayList<>();
        String sql = "SELECT r.TRACKING_URI,"
                + " SUM(CASE WHEN o.STATE = '" + OutboxStore.PENDING + "' THEN 1 ELSE 0 END),"
                + " SUM(CASE WHEN o.STATE = '" + OutboxStore.FAILED + "' THEN 1 ELSE 0 END)"
                + " FROM TRACKING_OUTBOX o LEFT JOIN TRACKING_RUN r ON r.RUN_KEY = o.RUN_KEY"
                + " WHERE o.STATE IN ('" + OutboxStore.PENDING + "', '" + OutboxStore.FAILED + "')"
                + " GROUP BY r.TRACKING_URI ORDER BY r.TRACKING_URI NULLS LAST";
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql); ResultSet r = p.executeQuery()) {
            while (r.next()) {
                out.add(new Waiting(r.getString(1), r.getInt(2), r.getInt(3)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the tracking outbox: " + e.getMessage(), e);
        }
        return out;
    }

    /** The servers other than serverId with pending records (what a run tracking to serverId will not send). */
    public List<Waiting> pendingForOthers(String serverId) {
        return list().stream().filter(w -> w.pending() > 0 && !Objects.equals(w.server(), serverId)).toList();
    }

    /** Pending records of a server (null = unknown). */
    public int pending(String server) {
        return count("SELECT COUNT(*) FROM TRACKING_OUTBOX WHERE STATE = '" + OutboxStore.PENDING + "'", server);
    }

    /** Pending and failed records of a server (null = unknown): what {@link #drop} deletes. */
    public int waiting(String server) {
        return count("SELECT COUNT(*) FROM TRACKING_OUTBOX WHERE STATE IN ('" + OutboxStore.PENDING + "', '" + OutboxStore.FAILED + "')",
                server);
    }

    private int count(String select, String server) {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(select + (server == null ? OF_UNKNOWN : OF_SERVER))) {
            if (server != null) {
                p.setString(1, server);
            }
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the tracking outbox: " + e.getMessage(), e);
        }
    }

    /**
     * Gives the runs that name no server to server (their records are then sent by it); returns how many
     * runs. Records whose run is not registered at all cannot be sent anywhere and stay unknown.
     */
    public int adoptUnknown(String server) {
        try (Connection c = db.getConnection();
                PreparedStatement p = c.prepareStatement("UPDATE TRACKING_RUN SET TRACKING_URI = ? WHERE TRACKING_URI IS NULL")) {
            p.setString(1, Objects.requireNonNull(server));
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot update the tracking outbox: " + e.getMessage(), e);
        }
    }

    /** Deletes the pending and failed records of a server (null = unknown); returns how many. */
    public int drop(String server) {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement("DELETE FROM TRACKING_OUTBOX WHERE STATE IN ('"
                + OutboxStore.PENDING + "', '" + OutboxStore.FAILED + "')" + (server == null ? OF_UNKNOWN : OF_SERVER))) {
            if (server != null) {
                p.setString(1, server);
            }
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot delete from the tracking outbox: " + e.getMessage(), e);
        }
    }

    /**
     * Delivers the pending records of server, retrying for up to timeout. server is a tracking URI, or a
     * local server's {@code local:<data folder>}: that server is started on a free port for the delivery.
     */
    public Sent send(String server, Duration timeout) throws IOException {
        if (server.startsWith(TrackingEndpoint.LOCAL_PREFIX)) {
            try (MlflowServer local = MlflowServer.start(Path.of(server.substring(TrackingEndpoint.LOCAL_PREFIX.length())),
                    MlflowServer.freePort())) {
                return send(server, local.trackingUri(), timeout);
            }
        }
        return send(server, server, timeout);
    }

    /** Delivers the pending records of server through the MLflow at address. */
    Sent send(String server, String address, Duration timeout) {
        try (MlflowBackend backend = new MlflowBackend(address)) {
            return send(server, backend, timeout);
        }
    }

    /** Delivers the pending records of server to backend, retrying while it is unreachable, for up to timeout. */
    Sent send(String server, TrackingBackend backend, Duration timeout) {
        int before = pending(server);
        OutboxStore store = new OutboxStore(db, server);
        String holder = "outbox send, pid " + ProcessHandle.current().pid() + " " + java.util.UUID.randomUUID();
        java.util.function.BooleanSupplier lease = () -> {
            try {
                return store.takeLease(holder, MlflowTracker.leaseSeconds());
            } catch (SQLException e) {
                return false;
            }
        };
        OutboxSender sender = new OutboxSender(store, backend, lease);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // records a process left pending may have reached MLflow before it died: they go as retries, which never duplicate
            store.markPendingUncertain();
            while (true) {
                try {
                    // a running cddpm that tracks to this server holds the lease and delivers them itself: wait for it
                    if (lease.getAsBoolean()) {
                        sender.deliverPending();
                    }
                    if (pending(server) == 0 || System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(1000);
                } catch (DeliveryException e) {
                    if (System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(1000);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the tracking outbox: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                store.releaseLease(holder);
            } catch (SQLException e) {
                // it expires by itself
            }
        }
        int left = pending(server);
        return new Sent(before - left, left);
    }
}
