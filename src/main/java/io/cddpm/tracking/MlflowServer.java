package io.cddpm.tracking;

import io.cddpm.core.StopRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local MLflow tracking server on 127.0.0.1 (the pinned one from {@code mlflow/.venv}, made by
 * {@code make mlflow-env}; {@code CDDPM_MLFLOW_BIN} may name another mlflow executable), with a
 * sqlite backend store and served artifacts under one data directory:
 * {@code <dataDir>/mlflow.db}, {@code <dataDir>/artifacts}, and its log in {@code <dataDir>/server.log}.
 * Starting it again on the same port and directory continues where it stopped.
 *
 * <p>The server dies with this JVM, however the JVM ends. {@code mlflow server} runs gunicorn and its
 * workers as child processes, and a JVM killed by SIGKILL runs no shutdown hook, so it is started
 * through a guard ({@code server_guard.py}, on the Python next to the mlflow executable) that runs it
 * as its own process group and stops that whole group when the pipe from this JVM to the guard's stdin
 * closes: on {@link #stop()}, or when the kernel closes it because the JVM died. Each server is recorded
 * in its data folder ({@link ServerRecord}); starting a server first stops an orphan of the same folder,
 * one whose cddpm process is gone although it still serves (the guard was killed too), so a resumed run
 * does not leave a second server behind.
 */
public final class MlflowServer implements AutoCloseable {
    /** The environment variable that may name the mlflow executable. */
    public static final String BIN_ENV = "CDDPM_MLFLOW_BIN";
    public static final int DEMO_PORT = 5000;
    private static final Logger LOG = LoggerFactory.getLogger(MlflowServer.class);
    /** How long the server's processes get to exit after SIGTERM before SIGKILL. */
    private static final Duration GRACE = Duration.ofSeconds(15);
    private static final String GUARD = guardScript();

    private final Process guard;
    private final int port;
    private final Path dataDir;
    /** Stops the server when the JVM exits without {@link #stop()} (an exception, System.exit, a second Ctrl-C). */
    private final Thread exitHook;
    private volatile Duration startup;
    /** The record of the server once it answers (then its pid is known), else null. */
    private volatile ServerRecord serverRecord;

    private MlflowServer(Process guard, int port, Path dataDir) {
        this.guard = guard;
        this.port = port;
        this.dataDir = dataDir;
        this.exitHook = new Thread(this::stopProcesses, "cddpm-mlflow-stop");
    }

    /**
     * The mlflow executable: {@code $CDDPM_MLFLOW_BIN}, else {@code mlflow/.venv/bin/mlflow} in the
     * working directory or one of its parents.
     */
    public static Optional<Path> locateExecutable() {
        String env = System.getenv(BIN_ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String home = System.getProperty("cddpm.home");
        if (home != null && Files.isExecutable(Path.of(home, "mlflow/.venv/bin/mlflow"))) {
            return Optional.of(Path.of(home, "mlflow/.venv/bin/mlflow"));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("mlflow/.venv/bin/mlflow");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** {@link #locateExecutable()} or a message saying how to get one. */
    public static Path executable() {
        return locateExecutable().orElseThrow(() -> new IllegalStateException("no MLflow server executable: run"
                + " `make mlflow-env` (installs the pinned MLflow into mlflow/.venv) or set " + BIN_ENV
                + (System.getenv(BIN_ENV) != null ? " (now " + System.getenv(BIN_ENV) + ", not executable)" : "")));
    }

    /** A TCP port free on 127.0.0.1 right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port: " + e.getMessage(), e);
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts the server from {@link #executable()} and waits until it answers (up to 2 minutes). */
    public static MlflowServer start(Path dataDir, int port) throws IOException {
        return start(executable(), dataDir, port, Duration.ofMinutes(2));
    }

    /**
     * Starts {@code mlflow server} and waits until {@code /health} answers; first stops an orphaned
     * server of the same data directory.
     *
     * @throws IOException when it cannot start, the port is taken, or it does not answer in time
     */
    public static MlflowServer start(Path mlflowBin, Path dataDir, int port, Duration timeout) throws IOException {
        Path dir = dataDir.toAbsolutePath();
        Files.createDirectories(dir.resolve("artifacts"));
        stopOrphans(dir);
        if (!portFree(port)) {
            throw new IOException("cannot start MLflow on 127.0.0.1:" + port + ": the port is in use");
        }
        List<String> cmd = new ArrayList<>(List.of(python(mlflowBin), "-c", GUARD, Long.toString(GRACE.toSeconds())));
        cmd.addAll(List.of(mlflowBin.toString(), "server",
                "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--backend-store-uri", ServerProcesses.backendStore(dir),
                "--serve-artifacts", "--artifacts-destination", dir.resolve("artifacts").toString(),
                "--workers", "2"));
        Path log = dir.resolve("server.log");
        long t0 = System.nanoTime();
        // stdin stays a pipe from this JVM, open until stop(): its end is the guard's signal to stop the server
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        MlflowServer server = new MlflowServer(p, port, dir);
        Runtime.getRuntime().addShutdownHook(server.exitHook);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(server.trackingUri() + "/health"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = t0 + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (StopRequest.requested()) {
                server.stop();
                throw new IOException("stopped (" + StopRequest.reason() + ") while the MLflow server was starting");
            }
            if (!p.isAlive()) {
                throw new IOException("MLflow server exited with code " + p.exitValue() + " while starting; see " + log
                        + ":\n" + tail(log));
            }
            try {
                HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    server.startup = Duration.ofNanos(System.nanoTime() - t0);
                    server.remember(p);
                    LOG.info("MLflow server up at {} in {} ms (data {})", server.trackingUri(), server.startup.toMillis(), dir);
                    return server;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                server.stop();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the MLflow server", e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                server.stop();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the MLflow server", e);
            }
        }
        server.stop();
        throw new IOException("MLflow server did not answer on " + server.trackingUri() + " within "
                + timeout.toSeconds() + " s; see " + log + ":\n" + tail(log));
    }

    /**
     * The demo's server when no tracking URI is configured: data in dataDir (e.g. {@code mlruns}),
     * port 5000 or, if taken, a free one; prints the UI's address to out.
     */
    public static MlflowServer startForDemo(Path dataDir, PrintStream out) throws IOException {
        stopOrphans(dataDir.toAbsolutePath()); // an orphan of this folder may hold port 5000
        int port = portFree(DEMO_PORT) ? DEMO_PORT : freePort();
        MlflowServer server = start(dataDir, port);
        out.println("MLflow UI: " + server.trackingUri() + "  (local server, data in " + server.dataDir()
                + ", started in " + server.startupTime().toMillis() + " ms)");
        return server;
    }

    /**
     * Stops the servers recorded in dir whose cddpm process is gone (the guard of each should have
     * stopped it; if it still serves, the guard was killed too), and forgets them.
     */
    private static void stopOrphans(Path dir) throws IOException {
        for (ServerRecord r : ServerRecord.readAll(dir)) {
            if (r.ownerAlive()) {
                continue; // another cddpm's server, in use
            }
            List<ProcessHandle> orphan = ServerProcesses.inGroup(dir, r.serverPid());
            if (!orphan.isEmpty()) {
                LOG.warn("stopping the MLflow server on port {} (pid {}, {} processes) of {}: cddpm process {} that started it is gone",
                        r.port(), r.serverPid(), orphan.size(), dir, r.ownerPid());
                ServerProcesses.stop(orphan, GRACE);
            }
            r.delete(dir);
        }
    }

    /** Records the server, now that it answers: its mlflow is the guard's child. */
    private void remember(Process p) {
        p.children().findFirst().ifPresent(mlflow -> {
            ServerRecord r = ServerRecord.ofThisProcess(mlflow.pid(), port);
            r.write(dataDir);
            serverRecord = r;
        });
    }

    /** The Python that runs the guard: the one next to the mlflow executable (its venv), else python3 on the PATH. */
    private static String python(Path mlflowBin) {
        for (String name : List.of("python3", "python")) {
            Path p = mlflowBin.toAbsolutePath().resolveSibling(name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return "python3";
    }

    private static String guardScript() {
        try (InputStream in = MlflowServer.class.getResourceAsStream("server_guard.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("server_guard.py is missing from cddpm's classes", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    public String trackingUri() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** From launch until {@code /health} answered. */
    public Duration startupTime() {
        return startup;
    }

    public boolean isAlive() {
        return guard.isAlive();
    }

    /**
     * Stops the server, gunicorn and its workers: SIGTERM to the server's process group, then SIGKILL
     * after 15 s.
     */
    public void stop() {
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook stops it (or already did)
        }
        stopProcesses();
        LOG.info("MLflow server at {} stopped", trackingUri());
    }

    /**
     * Closes the guard's stdin, upon which it stops the server's group and exits; then stops whatever
     * of the group outlived a guard that was itself killed, and forgets the server.
     */
    private void stopProcesses() {
        try {
            guard.getOutputStream().close();
        } catch (IOException e) {
            // the pipe is gone already: so is the guard
        }
        // an interrupt (a stop request) must not cut this wait short: the server would outlive the guard
        boolean interrupted = false;
        long deadline = System.nanoTime() + GRACE.plusSeconds(5).toNanos();
        while (guard.isAlive() && System.nanoTime() < deadline) {
            try {
                guard.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        guard.destroyForcibly();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        ServerRecord r = serverRecord;
        if (r != null) {
            ServerProcesses.stop(ServerProcesses.inGroup(dataDir, r.serverPid()), GRACE);
            try {
                r.delete(dataDir);
            } catch (IOException e) {
                LOG.debug("cannot delete the record of the MLflow server in {}: {}", dataDir, e.toString());
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
