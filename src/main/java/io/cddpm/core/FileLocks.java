package io.cddpm.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** OS file locks, taken without waiting: held by one process, released on close or when the process ends, however it ends. */
public final class FileLocks {
    private FileLocks() {}

    /** A held lock and the open channel of its file. */
    public static final class Held implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private Held(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        /** The lock file's channel, open for writing (e.g. to say who holds it). */
        public FileChannel channel() {
            return channel;
        }

        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException e) {
                // the channel closes it anyway
            }
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }

    /** Locks file (created when absent); empty when another process, or another holder in this JVM, has it. */
    public static Optional<Held> tryLock(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        return Optional.of(new Held(channel, lock));
    }
}
