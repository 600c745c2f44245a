package io.cddpm.tracking;

import io.cddpm.core.StopRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 */
public final class MlflowServer implements AutoCloseable {
    /** The environment variable that may name the mlflow executable. */
    public static final String BIN_ENV = "CDDPM_MLFLOW_BIN";
    public static final int DEMO_PORT = 5000;
    private static final Logger LOG = LoggerFactory.getLogger(MlflowServer.class);
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final Process process;
    private final int port;
    private final Path dataDir;
    private final Duration startup;
    /** Stops the server when the JVM exits without {@link #stop()} (an exception, System.exit, a second Ctrl-C). */
    private final Thread exitHook;

    private MlflowServer(Process process, int port, Path dataDir, Duration startup, Thread exitHook) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.startup = startup;
        this.exitHook = exitHook;
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
     * Starts {@code mlflow server} and waits until {@code /health} answers.
     *
     * @throws IOException when it cannot start, the port is taken, or it does not answer in time
     */
    public static MlflowServer start(Path mlflowBin, Path dataDir, int port, Duration timeout) throws IOException {
        Path dir = dataDir.toAbsolutePath();
        Files.createDirectories(dir.resolve("artifacts"));
        if (!portFree(port)) {
            throw new IOException("cannot start MLflow on 127.0.0.1:" + port + ": the port is in use");
        }
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // its own session: a Ctrl-C meant for cddpm does not kill the server before cddpm has delivered its last records
            cmd.add(SETSID.toString());
        }
        cmd.addAll(List.of(mlflowBin.toString(), "server",
                "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--backend-store-uri", "sqlite:///" + dir.resolve("mlflow.db"),
                "--serve-artifacts", "--artifacts-destination", dir.resolve("artifacts").toString(),
                "--workers", "2"));
        Path log = dir.resolve("server.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Thread hook = new Thread(() -> stopTree(p), "cddpm-mlflow-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        MlflowServer server = new MlflowServer(p, port, dir, null, hook);
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
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    LOG.info("MLflow server up at {} in {} ms (data {})", server.trackingUri(), took.toMillis(), dir);
                    return new MlflowServer(p, port, dir, took, hook);
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
        int port = portFree(DEMO_PORT) ? DEMO_PORT : freePort();
        MlflowServer server = start(dataDir, port);
        out.println("MLflow UI: " + server.trackingUri() + "  (local server, data in " + server.dataDir()
                + ", started in " + server.startupTime().toMillis() + " ms)");
        return server;
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
        return process.isAlive();
    }

    /**
     * Stops the server and its gunicorn workers (mlflow launches gunicorn as a child process, which
     * would outlive a plain kill of the parent): SIGTERM to all, then SIGKILL after 15 s.
     */
    public void stop() {
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook stops it (or already did)
        }
        stopTree(process);
        LOG.info("MLflow server at {} stopped", trackingUri());
    }

    private static void stopTree(Process process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(0, process.toHandle());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (ProcessHandle h : all) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
