package io.cddpm.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end: a schedule added by one process is listed by another (state kept in
 * H2), {@code cddpm serve} shows it and stops cleanly on SIGTERM with exit code 0.
 */
class ServeIT {
    @Test
    void schedulesPersistAndServeStopsOnSigterm(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("nightly.yaml");
        Files.writeString(yaml, "name: nightly\nschedule: { sweep_cron: \"0 0 2 * * ?\" }\n");
        assertEquals(0, run(dir, "schedule", "add", yaml.toString()).waitFor());
        Process list = run(dir, "schedule", "list");
        String listed = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor(), listed);
        assertTrue(listed.contains("nightly") && listed.contains("0 0 2 * * ?"), listed);
        Process unknown = run(dir, "schedule", "pause", "nope");
        String err = new String(unknown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, unknown.waitFor(), err);
        assertTrue(err.contains("nightly/sweep"), err);

        Process serve = run(dir, "serve");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("scheduler started")) {
                    serve.toHandle().destroy(); // SIGTERM (Process.destroy() would also close the output we read)
                }
            }
        }
        assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve did not stop");
        String out = String.join("\n", lines);
        assertEquals(0, serve.exitValue(), out);
        assertTrue(out.contains("nightly") && out.endsWith("stopped"), out);
    }

    static Process run(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dcddpm.state=" + dir.resolve("state"), "-jar", Path.of("target/cddpm.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    }
}
