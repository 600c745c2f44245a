package io.cddpm.tracking;

import io.cddpm.core.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What a local MLflow server's data folder remembers of a server cddpm started in it, one file per
 * server ({@code .cddpm-server-<pid>}, removed when cddpm stops the server): the pid of its
 * {@code mlflow server} (which is also its process group), its port, and the cddpm process that owns
 * it. A later cddpm finds a server whose owner is gone (an orphan: its owner and the guard that should
 * have stopped it were both killed) and stops it before starting its own; a server whose owner lives
 * is another cddpm's, in use, and is left alone.
 *
 * @param serverPid  pid of {@code mlflow server}, the leader of the server's process group
 * @param port       the port it listens on (127.0.0.1)
 * @param ownerPid   pid of the cddpm process that started it
 * @param ownerStart when that process started ({@link Instant#toString()}, empty if unknown), so a
 *                   reused pid is not taken for the owner
 */
record ServerRecord(long serverPid, int port, long ownerPid, String ownerStart) {
    private static final String PREFIX = ".cddpm-server-";

    /** The record of a server this process starts. */
    static ServerRecord ofThisProcess(long serverPid, int port) {
        ProcessHandle self = ProcessHandle.current();
        return new ServerRecord(serverPid, port, self.pid(), startOf(self));
    }

    private static String startOf(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toString).orElse("");
    }

    /** True while the owner runs: its pid exists and started when recorded. */
    boolean ownerAlive() {
        return ProcessHandle.of(ownerPid).filter(ProcessHandle::isAlive).map(p -> startOf(p).equals(ownerStart)).orElse(false);
    }

    private Path file(Path dataDir) {
        return dataDir.resolve(PREFIX + serverPid);
    }

    void write(Path dataDir) {
        AtomicFiles.writeString(file(dataDir), "server_pid=" + serverPid + "\nport=" + port + "\nowner_pid=" + ownerPid
                + "\nowner_start=" + ownerStart + "\n");
    }

    void delete(Path dataDir) throws IOException {
        Files.deleteIfExists(file(dataDir));
    }

    /** The records in dataDir; a file that cannot be read as one is skipped. */
    static List<ServerRecord> readAll(Path dataDir) throws IOException {
        List<ServerRecord> out = new ArrayList<>();
        if (!Files.isDirectory(dataDir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dataDir, PREFIX + "*")) {
            for (Path f : files) {
                Properties p = new Properties();
                try {
                    p.load(new StringReader(Files.readString(f, StandardCharsets.UTF_8)));
                    out.add(new ServerRecord(Long.parseLong(p.getProperty("server_pid")), Integer.parseInt(p.getProperty("port")),
                            Long.parseLong(p.getProperty("owner_pid")), p.getProperty("owner_start", "")));
                } catch (IOException | RuntimeException e) {
                    // half-written by a crash, or not ours: nothing to act on
                }
            }
        }
        return out;
    }
}
