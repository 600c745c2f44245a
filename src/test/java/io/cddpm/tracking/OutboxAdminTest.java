package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outbox records belong to their server: a store sends only its own server's records, and
 * {@link OutboxAdmin} lists them per server (runs from before records named their server as
 * "(unknown server)"), sends one server's, gives the unknown ones to a server, and drops them.
 */
class OutboxAdminTest {
    private static final String A = "http://a.example:5000";
    private static final String B = "http://b.example:5000";

    private JdbcDataSource ds;
    private OutboxStore storeA;
    private OutboxStore storeB;
    private OutboxAdmin admin;

    @BeforeEach
    void setUp() {
        ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:outbox-admin-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        storeA = new OutboxStore(ds, A);
        storeB = new OutboxStore(ds, B);
        admin = new OutboxAdmin(ds);
    }

    /** A run with a creation record and n metric records; returns its key. */
    private static String run(OutboxStore store, String name, int n) throws SQLException {
        String key = UUID.randomUUID().toString();
        store.createRun(key, "exp", name, null, Payloads.write(new Payloads.CreateRun("exp", name, null, 1L, Map.of())));
        for (int i = 0; i < n; i++) {
            store.append(key, RecordKind.LOG_BATCH,
                    Payloads.write(new Payloads.Batch(List.of(new MetricPoint("loss", i, 1L, i)), Map.of(), Map.of())));
        }
        return key;
    }

    private void forgetServer(String runKey) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE TRACKING_RUN SET TRACKING_URI = NULL WHERE RUN_KEY = '" + runKey + "'");
        }
    }

    @Test
    void aServersTrackerNeverSendsAnotherServersRecords() throws Exception {
        run(storeA, "a-run", 2);
        run(storeB, "b-run", 3);
        OutboxSenderTest.FakeServer serverA = new OutboxSenderTest.FakeServer();
        new OutboxSender(storeA, serverA).deliverPending();
        assertEquals(List.of("create a-run", "batch"), serverA.calls, "A's records only");
        assertEquals(0, storeA.count(OutboxStore.PENDING));
        assertEquals(4, storeB.count(OutboxStore.PENDING), "B's wait for B");

        // the same through the admin's send: A's store again has nothing to send, B's go to B
        assertEquals(new OutboxAdmin.Sent(0, 0), admin.send(A, serverA, Duration.ofSeconds(5)));
        OutboxSenderTest.FakeServer serverB = new OutboxSenderTest.FakeServer();
        assertEquals(new OutboxAdmin.Sent(4, 0), admin.send(B, serverB, Duration.ofSeconds(5)));
        assertEquals(List.of("create b-run", "batch"), serverB.calls);
        assertEquals(List.of("create a-run", "batch"), serverA.calls, "A saw nothing of B");
    }

    @Test
    void listsSendsAdoptsAndDropsPerServer() throws Exception {
        run(storeA, "a-run", 1);
        run(storeB, "b-run", 2);
        forgetServer(run(storeA, "old-run", 4)); // queued before records named their server
        new OutboxSender(storeA, new OutboxSenderTest.FakeServer()).deliverPending();

        assertEquals(List.of(new OutboxAdmin.Waiting(B, 3, 0), new OutboxAdmin.Waiting(null, 5, 0)), admin.list());
        assertEquals("(unknown server)", admin.list().get(1).label());
        assertEquals(admin.list(), admin.pendingForOthers(A));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrackingSession.reportOthers(admin.pendingForOthers(A), new PrintStream(out, true));
        assertTrue(out.toString().contains("3 record(s) for " + B) && out.toString().contains("cddpm outbox send --uri " + B)
                && out.toString().contains("cddpm outbox drop --uri " + B), out.toString());
        assertTrue(out.toString().contains("5 record(s) for (unknown server)") && out.toString().contains("--adopt-unknown")
                && out.toString().contains("cddpm outbox drop --unknown"), out.toString());

        assertEquals(1, admin.adoptUnknown(A), "one run");
        assertEquals(0, admin.pending(null));
        OutboxSenderTest.FakeServer serverA = new OutboxSenderTest.FakeServer();
        assertEquals(new OutboxAdmin.Sent(5, 0), admin.send(A, serverA, Duration.ofSeconds(5)));
        assertEquals("create old-run", serverA.calls.get(0));

        assertEquals(3, admin.waiting(B));
        assertEquals(3, admin.drop(B));
        assertEquals(List.of(), admin.list());

        forgetServer(run(storeB, "older", 1));
        assertEquals(2, admin.drop(null));
        assertEquals(List.of(), admin.list());
    }

    @Test
    void aSendToAServerThatIsDownLeavesTheRecordsPending() throws Exception {
        run(storeB, "b-run", 1);
        OutboxSenderTest.FakeServer down = new OutboxSenderTest.FakeServer();
        down.down = true;
        assertEquals(new OutboxAdmin.Sent(0, 2), admin.send(B, down, Duration.ofMillis(10)));
    }
}
