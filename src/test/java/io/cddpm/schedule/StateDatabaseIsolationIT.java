package io.cddpm.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.ListeningSockets;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state database is embedded and file-locked: while {@code cddpm serve} runs it listens on no socket
 * (H2's AUTO_SERVER used to open a port on every interface with an empty password), the state folder is
 * its owner's only, and a second process that needs the database is told which folder is in use and by
 * what, with exit code 2.
 */
class StateDatabaseIsolationIT {
    @Test
    void serveListensOnNothingAndASecondProcessIsToldTheDatabaseIsInUse(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(ListeningSockets.supported(), "needs Linux /proc");
        Path yaml = dir.resolve("nightly.yaml");
        Files.writeString(yaml, "name: nightly\nschedule: { sweep_cron: \"0 0 2 * * ?\" }\n");
        assertEquals(0, ServeIT.run(dir, "schedule", "add", yaml.toString()).waitFor());

        Process serve = ServeIT.run(dir, "serve");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("scheduler started")) {
                    Thread.sleep(1000); // anything started lazily has had time to bind
                    List<ListeningSockets.Listener> listening = ListeningSockets.of(serve.toHandle());
                    assertTrue(listening.isEmpty(), "serve listens on " + listening);

                    Process list = ServeIT.run(dir, "schedule", "list");
                    String out = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(list.waitFor(60, TimeUnit.SECONDS));
                    assertEquals(2, list.exitValue(), out);
                    assertTrue(out.contains(dir.resolve("state").toString()) && out.contains("in use by another cddpm process")
                            && out.contains("cddpm serve"), out);
                    assertTrue(out.contains("(pid " + serve.pid() + " on "), "the refusal names the holder: " + out);
                    serve.toHandle().destroy();
                }
            }
        }
        assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve did not stop");
        assertEquals(0, serve.exitValue(), String.join("\n", lines));
        assertEquals(java.util.Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE),
                Files.getPosixFilePermissions(dir.resolve("state")), "the state folder is its owner's only");

        // once serve is gone the database is free again
        Process list = ServeIT.run(dir, "schedule", "list");
        String out = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor(), out);
        assertTrue(out.contains("nightly"), out);
    }
}
