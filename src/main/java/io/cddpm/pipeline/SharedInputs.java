package io.cddpm.pipeline;

import io.cddpm.core.FileLocks;
import io.cddpm.core.StopRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the trials of an output folder share (rendered datasets and their caches under
 * {@code datasets/}, trained evaluators under {@code evaluators/}) is prepared by one process at a
 * time: the workers of a sweep start several trials at once on the same shared folder, and the first
 * renders or trains while the others wait, then reuse it. An OS lock on {@code <output_dir>/.inputs.lock}
 * (released however the holder ends); waiting polls, so a stop request (SIGTERM) still ends it.
 */
final class SharedInputs {
    static final String LOCK = ".inputs.lock";
    private static final long POLL_MS = 500;
    /** Threads of this process that hold or wait for the lock (a JVM may not lock one file twice). */
    private static final Object IN_PROCESS = new Object();

    private SharedInputs() {}

    /** The held lock. */
    static final class Lock implements AutoCloseable {
        private final FileLocks.Held held;

        private Lock(FileLocks.Held held) {
            this.held = held;
        }

        @Override
        public void close() {
            try {
                held.close();
            } finally {
                synchronized (IN_PROCESS) {
                    IN_PROCESS.notifyAll();
                }
            }
        }
    }

    /** Takes the output folder's lock, waiting (and saying so once) while another process holds it. */
    static Lock lock(Path outputDir, PrintStream console) {
        Path file = outputDir.resolve(LOCK);
        boolean said = false;
        try {
            Files.createDirectories(outputDir);
            while (true) {
                StopRequest.check();
                Optional<FileLocks.Held> held = FileLocks.tryLock(file);
                if (held.isPresent()) {
                    return new Lock(held.get());
                }
                if (!said) {
                    console.println("waiting for another process preparing the shared inputs in " + outputDir + " (" + file + ")");
                    said = true;
                }
                synchronized (IN_PROCESS) {
                    IN_PROCESS.wait(POLL_MS);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + file, e);
        }
    }
}
