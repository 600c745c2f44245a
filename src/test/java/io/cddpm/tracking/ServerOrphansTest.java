package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a local server's orphan is found and stopped, on stand-in processes (no MLflow needed; the real
 * server is in MlflowServerOrphanIT): processes are picked by their data folder, on the command line or
 * in the environment as gunicorn has it; starting a server stops the recorded servers of its folder
 * whose cddpm is gone, and leaves those of a live cddpm and of other folders alone.
 */
class ServerOrphansTest {
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    @TempDir
    Path dir;

    /** A stand-in server of dataDir: its own process group (pgid = its pid), a shell naming the store and a sleep with it in the environment. */
    private static Process standIn(Path dataDir) throws IOException {
        String store = ServerProcesses.backendStore(dataDir);
        ProcessBuilder pb = new ProcessBuilder(SETSID.toString(), "sh", "-c", "sleep 600; :", "mlflow", "--backend-store-uri", store);
        pb.environment().put("_MLFLOW_SERVER_FILE_STORE", store);
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ServerProcesses.inGroup(dataDir, p.pid()).size() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return p;
    }

    private static Set<Long> pids(List<ProcessHandle> processes) {
        return processes.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void processesAreFoundByTheirDataFolderOnly() throws Exception {
        assumeTrue(Files.isExecutable(SETSID) && Files.isReadable(Path.of("/proc/self/stat")), "needs Linux /proc and setsid");
        Process a = standIn(dir.resolve("a"));
        Process b = standIn(dir.resolve("b"));
        try {
            List<ProcessHandle> ofA = ServerProcesses.of(dir.resolve("a"));
            assertEquals(2, ofA.size(), "the shell by its command line, the sleep by its environment");
            assertTrue(ofA.stream().allMatch(p -> ServerProcesses.processGroup(p.pid()) == a.pid()));
            assertEquals(pids(ofA), pids(ServerProcesses.inGroup(dir.resolve("a"), a.pid())));
            assertEquals(List.of(), ServerProcesses.inGroup(dir.resolve("a"), b.pid()));
            assertEquals(List.of(), ServerProcesses.of(dir.resolve("c")));
        } finally {
            ServerProcesses.stop(ServerProcesses.of(dir.resolve("a")), Duration.ofSeconds(1));
            ServerProcesses.stop(ServerProcesses.of(dir.resolve("b")), Duration.ofSeconds(1));
        }
        assertEquals(List.of(), ServerProcesses.of(dir.resolve("a")), "stopped, and zombies do not count");
    }

    @Test
    void startingAServerStopsTheOrphansOfItsFolderOnly() throws Exception {
        assumeTrue(Files.isExecutable(SETSID) && Files.isReadable(Path.of("/proc/self/stat")), "needs Linux /proc and setsid");
        Path data = dir.resolve("mlruns");
        Files.createDirectories(data);
        Process orphan = standIn(data);
        Process inUse = standIn(data);
        Process elsewhere = standIn(dir.resolve("other"));
        try {
            List<ProcessHandle> orphanProcesses = ServerProcesses.inGroup(data, orphan.pid());
            new ServerRecord(orphan.pid(), 1, deadPid(), "").write(data);
            ServerRecord.ofThisProcess(inUse.pid(), 2).write(data);
            new ServerRecord(elsewhere.pid(), 3, deadPid(), "").write(dir.resolve("other"));

            // an executable that fails at once: what is tested is what happens before it is started
            IOException e = assertThrows(IOException.class,
                    () -> MlflowServer.start(Path.of("/bin/false"), data, MlflowServer.freePort(), Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("exited with code 1 while starting"), e.getMessage());

            assertFalse(orphanProcesses.isEmpty());
            for (ProcessHandle p : orphanProcesses) {
                assertFalse(ServerProcesses.alive(p.pid()), "orphan process " + p.pid() + " still runs");
            }
            assertEquals(List.of(2), ServerRecord.readAll(data).stream().map(ServerRecord::port).toList(), "the orphan is forgotten");
            assertEquals(2, ServerProcesses.inGroup(data, inUse.pid()).size(), "the server of a live cddpm runs on");
            assertEquals(2, ServerProcesses.inGroup(dir.resolve("other"), elsewhere.pid()).size(), "another folder's is not touched");
        } finally {
            ServerProcesses.stop(ServerProcesses.of(data), Duration.ofSeconds(1));
            ServerProcesses.stop(ServerProcesses.of(dir.resolve("other")), Duration.ofSeconds(1));
        }
    }

    @Test
    void aRecordKnowsWhetherItsOwnerRuns() throws Exception {
        ServerRecord mine = ServerRecord.ofThisProcess(123, 5000);
        assertTrue(mine.ownerAlive());
        mine.write(dir);
        assertEquals(List.of(mine), ServerRecord.readAll(dir));
        assertFalse(new ServerRecord(123, 5000, deadPid(), "").ownerAlive(), "a pid that exited");
        assertFalse(new ServerRecord(123, 5000, mine.ownerPid(), "2001-01-01T00:00:00Z").ownerAlive(), "a pid used again by another process");
        Files.writeString(dir.resolve(".cddpm-server-9"), "half a rec");
        assertEquals(List.of(mine), ServerRecord.readAll(dir), "an unreadable record is skipped");
        mine.delete(dir);
        assertEquals(List.of(), ServerRecord.readAll(dir));
    }
}
