package io.cddpm.runs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process (and one thread in it) at a time holds a run folder; the lock file says which. */
class RunFolderLockTest {
    @Test
    void anotherProcessHoldingTheLockIsSeenAndNamed(@TempDir Path dir) throws Exception {
        RunFolder folder = RunFolder.of(dir.resolve("run"));
        Process holder = LockHolder.start(folder.dir());
        try {
            assertTrue(folder.tryLock().isEmpty(), "held by the other process");
            assertTrue(folder.lockHolder().contains("pid " + holder.pid()), folder.lockHolder());
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        Optional<RunFolder.Lock> mine = folder.tryLock();
        assertTrue(mine.isPresent(), "free once the other process let go");
        assertTrue(folder.lockHolder().contains("pid " + ProcessHandle.current().pid()), folder.lockHolder());
        mine.get().close();
    }

    @Test
    void aSecondHolderInTheSameProcessIsRefusedToo(@TempDir Path dir) throws Exception {
        RunFolder folder = RunFolder.of(dir.resolve("run"));
        try (RunFolder.Lock first = folder.tryLock().orElseThrow()) {
            Optional<RunFolder.Lock>[] second = new Optional[1];
            Thread t = new Thread(() -> second[0] = folder.tryLock());
            t.start();
            t.join();
            assertTrue(second[0].isEmpty(), "another thread of this JVM");
        }
        assertTrue(folder.tryLock().isPresent(), "released");
    }

    @Test
    void clearKeepsTheLockAndTheLog(@TempDir Path dir) throws Exception {
        RunFolder folder = RunFolder.of(dir.resolve("run"));
        Files.createDirectories(folder.checkpoints());
        Files.writeString(folder.checkpoint(1), "x");
        Files.writeString(folder.config(), "x");
        Files.writeString(folder.log(), "log");
        try (RunFolder.Lock l = folder.tryLock().orElseThrow()) {
            folder.clear();
        }
        assertFalse(folder.exists());
        assertTrue(Files.isRegularFile(folder.log()) && Files.isRegularFile(folder.lockFile()));
    }
}
