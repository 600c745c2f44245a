package io.cddpm.core;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reading sizes that a file declares about itself without trusting them. A checkpoint is input:
 * a 10-byte pickle can declare a 2 GB string, a small deflated zip entry can declare (or inflate
 * to) gigabytes. Every declared size is checked against what is really there, and against what
 * this JVM can hold, before anything is allocated; failures are {@link IOException}s whose message
 * names the entry and both sizes, for the caller to prefix with the file.
 */
public final class BoundedReads {
    /** The largest byte[] the JVM allocates. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private BoundedReads() {}

    /** The most bytes one in-memory entry may take: a Java array's limit, and what the heap still has free. */
    public static long maxInMemory() {
        Runtime rt = Runtime.getRuntime();
        long headroom = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return Math.max(0, Math.min(MAX_ARRAY, headroom));
    }

    /**
     * The bytes of a zip entry: its declared size must be known and at most {@code max}, and the
     * entry must inflate to exactly that size (it is never read past it).
     */
    public static byte[] zipEntry(ZipFile zip, ZipEntry entry, long max) throws IOException {
        long declared = entry.getSize();
        String name = "entry '" + entry.getName() + "'";
        if (declared < 0) {
            throw new IOException(name + " does not declare its size");
        }
        long limit = Math.min(max, maxInMemory());
        if (declared > limit) {
            throw new IOException(name + " declares " + declared + " bytes, more than the " + limit + " this reader accepts"
                    + (limit < max ? " with the JVM's free heap (-Xmx)" : ""));
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] data = in.readNBytes((int) declared); // grows with what arrives, not with what is declared
            if (data.length < declared) {
                throw new IOException(name + " declares " + declared + " bytes but holds only " + data.length);
            }
            if (in.read() != -1) {
                throw new IOException(name + " holds more than the " + declared + " bytes it declares");
            }
            return data;
        }
    }

    /** An input stream that knows its position, so a reader can ask how many bytes are left (mark/reset aware). */
    public static final class Counting extends FilterInputStream {
        private final long length;
        private long position;
        private long marked;

        /** @param length the total bytes the stream holds (the file's size) */
        public Counting(InputStream in, long length) {
            super(in);
            this.length = length;
        }

        /** Bytes not yet read. */
        public long remaining() {
            return Math.max(0, length - position);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                position++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            position += s;
            return s;
        }

        @Override
        public synchronized void mark(int readlimit) {
            super.mark(readlimit);
            marked = position;
        }

        @Override
        public synchronized void reset() throws IOException {
            super.reset();
            position = marked;
        }
    }
}
