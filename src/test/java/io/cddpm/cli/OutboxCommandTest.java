package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.TrackingConfig;
import io.cddpm.state.StateDatabase;
import io.cddpm.tracking.MlflowTracker;
import io.cddpm.tracking.TrackingSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cddpm outbox list|send|drop} on a state database with records for two servers that do not
 * answer and for an unknown server; and a run's tracking session naming the other servers' records.
 */
class OutboxCommandTest {
    private static final String A = "http://127.0.0.1:9";
    private static final String B = "http://127.0.0.1:7";

    @TempDir
    Path dir;

    /** stdout, stderr and exit code of one in-process command line. */
    record Out(int exit, String out) {}

    static synchronized Out cddpm(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        try {
            System.setOut(both);
            System.setErr(both);
            int exit = Main.run(args);
            return new Out(exit, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeEach
    void seed() throws Exception {
        System.setProperty(StateDatabase.PROPERTY, dir.resolve("state").toString());
        // the commands' sessions track to unreachable servers: do not wait the default minute for them at close
        System.setProperty(TrackingSession.CLOSE_TIMEOUT_PROPERTY, "1");
        try (StateDatabase state = StateDatabase.open()) {
            for (String server : new String[] {A, B, "old"}) {
                try (MlflowTracker t = new MlflowTracker(server.equals("old") ? A : server, server, state.dataSource(), Duration.ofMillis(50),
                        Duration.ofMillis(50))) {
                    t.logParams(t.startRun("exp", "run-" + server, Map.of()), Map.of("p", "1"));
                }
            }
            try (Connection c = state.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE TRACKING_RUN SET TRACKING_URI = NULL WHERE TRACKING_URI = 'old'");
            }
        }
    }

    @AfterEach
    void clear() {
        System.clearProperty(StateDatabase.PROPERTY);
        System.clearProperty(TrackingSession.CLOSE_TIMEOUT_PROPERTY);
    }

    @Test
    void listSendAndDrop() {
        Out list = cddpm("outbox", "list");
        assertEquals(0, list.exit(), list.out());
        assertTrue(list.out().matches("(?s).*\\s2\\s+0\\s+" + A.replace(".", "\\.") + "\\n.*"), list.out());
        assertTrue(list.out().contains(B) && list.out().contains("(unknown server)"), list.out());

        Out send = cddpm("outbox", "send", "--uri", B, "--timeout", "1");
        assertEquals(1, send.exit(), send.out());
        assertTrue(send.out().contains("sending 2 record(s) to " + B) && send.out().contains("still pending 2"), send.out());

        Out adopt = cddpm("outbox", "send", "--uri", B, "--adopt-unknown", "--timeout", "1");
        assertTrue(adopt.out().contains("gave 1 run(s) of (unknown server) (2 pending record(s)) to " + B), adopt.out());
        assertTrue(adopt.out().contains("sending 4 record(s)"), adopt.out());

        Out drop = cddpm("outbox", "drop", "--uri", B);
        assertEquals(0, drop.exit(), drop.out());
        assertTrue(drop.out().contains("dropping 4 pending or failed record(s) of " + B), drop.out());
        Out none = cddpm("outbox", "drop", "--unknown");
        assertTrue(none.out().contains("no pending or failed records for (unknown server) (waiting: " + A + ")"), none.out());

        assertEquals(2, cddpm("outbox", "drop").exit(), "--uri or --unknown is required");
        assertEquals(2, cddpm("outbox", "drop", "--uri", A, "--unknown").exit(), "not both");
    }

    @Test
    void aRunSaysWhatWaitsForOtherServers() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (StateDatabase state = StateDatabase.open();
                TrackingSession s = TrackingSession.open(new TrackingConfig(A, null), state.dataSource(), new PrintStream(console, true))) {
            String out = console.toString();
            assertTrue(out.contains("2 record(s) for " + B) && out.contains("`cddpm outbox send --uri " + B + "`")
                    && out.contains("`cddpm outbox drop --uri " + B + "`"), out);
            assertTrue(out.contains("2 record(s) for (unknown server)") && out.contains("cddpm outbox drop --unknown"), out);
            assertTrue(!out.contains("for " + A + " wait"), "its own server's records are its own to send: " + out);
        }
    }
}
