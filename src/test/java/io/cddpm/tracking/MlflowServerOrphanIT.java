package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No local MLflow server outlives the cddpm that started it (issue 30, item 4), with the real pinned
 * server: SIGKILL of {@code cddpm run} leaves no process of its data folder 30 s later; a server left
 * serving because its guard was killed as well is stopped by the next server of that folder; a server
 * whose cddpm still runs is left alone; {@code mlflow/serve.sh} stopped by SIGTERM takes gunicorn along. Processes are picked by their data folder only
 * ({@link ServerProcesses}), and each test kills only the processes it started.
 */
class MlflowServerOrphanIT {
    private static final Duration SURVIVAL_LIMIT = Duration.ofSeconds(30);

    /** Starts {@code cddpm run} of a tiny experiment in workDir, which starts the local server in workDir/mlruns, and waits until it is up. */
    private static Process runUntilServerUp(Path workDir, Path mlflow) throws Exception {
        Path yaml = workDir.resolve("orphan.yaml");
        Files.writeString(yaml, """
                name: orphan-it
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 32, seed: 0 }, test_files: [test] }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: 50, batch_size: 16 }
                """.formatted(workDir.resolve("runs")));
        Path log = workDir.resolve("run.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dcddpm.state=" + workDir.resolve("state"), "-jar",
                Path.of("target/cddpm.jar").toAbsolutePath().toString(), "run", yaml.toString())
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("MLFLOW_TRACKING_URI"); // the run starts its own local server
        pb.environment().put(MlflowServer.BIN_ENV, mlflow.toString());
        Process run = pb.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!Files.readString(log).contains("MLflow UI: ")) {
            assertTrue(run.isAlive(), "the run ended before its server was up:\n" + Files.readString(log));
            if (System.nanoTime() > deadline) {
                run.destroyForcibly();
                throw new AssertionError("no MLflow server within 3 minutes:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return run;
    }

    /** Waits up to limit for no process of dataDir to be left; returns those left. */
    private static List<ProcessHandle> awaitNone(Path dataDir, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        List<ProcessHandle> left = ServerProcesses.of(dataDir);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            left = ServerProcesses.of(dataDir);
        }
        return left;
    }

    private static String describe(List<ProcessHandle> processes) {
        List<String> out = new ArrayList<>();
        processes.forEach(p -> out.add(p.pid() + " " + p.info().commandLine().orElse("?")));
        return String.join("\n", out);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aSigkilledRunLeavesNoServerBehind(@TempDir Path dir) throws Exception {
        Path exe = MlflowTestServer.executableOrSkip();
        Path mlruns = dir.resolve("mlruns");
        Process run = runUntilServerUp(dir, exe);
        List<ProcessHandle> serving = ServerProcesses.of(mlruns);
        List<ServerRecord> records = ServerRecord.readAll(mlruns);
        assertEquals(1, records.size(), "the server is recorded in its folder");
        int port = records.get(0).port();
        // the guard, mlflow, gunicorn and its 2 workers, all descendants of the run
        assertTrue(serving.size() >= 5, describe(serving));
        assertTrue(serving.stream().allMatch(p -> run.toHandle().descendants().anyMatch(d -> d.pid() == p.pid())), describe(serving));
        assertTrue(listening(port));

        long t0 = System.nanoTime();
        run.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(run.waitFor(10, TimeUnit.SECONDS));
        List<ProcessHandle> left = awaitNone(mlruns, SURVIVAL_LIMIT);
        System.out.printf("SIGKILL -> no process of %s left after %.1f s%n", mlruns, (System.nanoTime() - t0) / 1e9);
        ServerProcesses.stop(left, Duration.ofSeconds(1)); // a failing test leaves nothing behind either
        assertTrue(left.isEmpty(), "outlived the SIGKILLed run by " + SURVIVAL_LIMIT.toSeconds() + " s:\n" + describe(left));
        assertFalse(listening(port), "port " + port + " still answers");

        // the next server of the folder forgets the dead run's record
        try (MlflowServer next = MlflowTestServer.start(exe, mlruns, MlflowServer.freePort())) {
            assertEquals(List.of(next.port()), ServerRecord.readAll(mlruns).stream().map(ServerRecord::port).toList());
        }
        assertEquals(List.of(), ServerRecord.readAll(mlruns), "a stopped server is forgotten");
        assertTrue(awaitNone(mlruns, Duration.ofSeconds(5)).isEmpty());
    }

    @Test
    void theNextServerOfAFolderStopsAnOrphanOfIt(@TempDir Path dir) throws Exception {
        Path exe = MlflowTestServer.executableOrSkip();
        Path mlruns = dir.resolve("mlruns");
        Process run = runUntilServerUp(dir, exe);
        ProcessHandle guard = run.toHandle().children()
                .filter(p -> p.info().commandLine().orElse("").contains("cddpm's guard")).findFirst().orElseThrow();
        // both the run and its guard die: the server is an orphan nobody will stop
        guard.destroyForcibly();
        run.destroyForcibly();
        assertTrue(run.waitFor(10, TimeUnit.SECONDS));
        Thread.sleep(2000);
        List<ProcessHandle> orphan = ServerProcesses.of(mlruns);
        try {
            assertFalse(orphan.isEmpty(), "the orphan serves on");
            ServerRecord recorded = ServerRecord.readAll(mlruns).get(0);
            assertFalse(recorded.ownerAlive());
            assertTrue(listening(recorded.port()));

            try (MlflowServer next = MlflowTestServer.start(exe, mlruns, MlflowServer.freePort())) {
                for (ProcessHandle p : orphan) {
                    assertFalse(ServerProcesses.alive(p.pid()), "orphan process " + p.pid() + " still runs");
                }
                assertFalse(listening(recorded.port()), "the orphan's port " + recorded.port() + " still answers");
                ServerRecord own = ServerRecord.readAll(mlruns).get(0);
                assertEquals(next.port(), own.port(), "only the new server is recorded");
                List<ProcessHandle> serving = ServerProcesses.of(mlruns);
                assertTrue(serving.stream().allMatch(p -> ServerProcesses.processGroup(p.pid()) == own.serverPid()
                        || ProcessHandle.current().descendants().anyMatch(d -> d.pid() == p.pid())), describe(serving));
            }
            assertTrue(awaitNone(mlruns, Duration.ofSeconds(5)).isEmpty());
        } finally {
            ServerProcesses.stop(ServerProcesses.of(mlruns), Duration.ofSeconds(1));
        }
    }

    @Test
    void stoppingServeShStopsGunicorn(@TempDir Path dir) throws Exception {
        Path exe = MlflowTestServer.executableOrSkip();
        Path data = dir.resolve("served");
        int port = MlflowServer.freePort();
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("mlflow/serve.sh").toAbsolutePath().toString(), Integer.toString(port),
                data.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile());
        pb.environment().put(MlflowServer.BIN_ENV, exe.toString());
        Process serve = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!listening(port)) {
                assertTrue(serve.isAlive() && System.nanoTime() < deadline, Files.readString(dir.resolve("serve.log")));
                Thread.sleep(200);
            }
            Thread.sleep(1000); // gunicorn's workers are forked once the master listens
            List<ProcessHandle> serving = ServerProcesses.of(data);
            assertTrue(serving.size() >= 4, "mlflow, gunicorn and its 2 workers:\n" + describe(serving));

            serve.toHandle().destroy(); // SIGTERM to the script alone, as a service manager or kill(1) sends it
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve.sh did not end");
            List<ProcessHandle> left = awaitNone(data, Duration.ofSeconds(5));
            assertTrue(left.isEmpty(), "outlived serve.sh:\n" + describe(left));
            assertFalse(listening(port));
        } finally {
            serve.destroyForcibly();
            ServerProcesses.stop(ServerProcesses.of(data), Duration.ofSeconds(1));
        }
    }

    @Test
    void aServerWhoseCddpmRunsIsLeftAlone(@TempDir Path dir) throws Exception {
        Path exe = MlflowTestServer.executableOrSkip();
        Path mlruns = dir.resolve("mlruns");
        try (MlflowServer first = MlflowTestServer.start(exe, mlruns, MlflowServer.freePort());
                MlflowServer second = MlflowTestServer.start(exe, mlruns, MlflowServer.freePort())) {
            assertTrue(first.isAlive() && listening(first.port()), "this process still uses it");
            assertTrue(second.isAlive() && listening(second.port()));
            assertEquals(2, ServerRecord.readAll(mlruns).size());
        }
        assertEquals(List.of(), ServerRecord.readAll(mlruns));
        assertTrue(awaitNone(mlruns, Duration.ofSeconds(5)).isEmpty());
    }
}
