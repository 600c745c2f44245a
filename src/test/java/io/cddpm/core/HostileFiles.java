package io.cddpm.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Builds hostile inputs for tests in a few kilobytes: zip archives written by hand (so an entry
 * can be a real deflate bomb, or declare a size it does not hold) and pickle bytes.
 */
public final class HostileFiles {
    private HostileFiles() {}

    /** One zip entry as stored: deflated bytes, and the CRC and size its headers declare. */
    public record Entry(byte[] deflated, long crc, long size) {
        /** An honest entry holding {@code data}. */
        public static Entry of(byte[] data) {
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            d.end();
            CRC32 crc = new CRC32();
            crc.update(data);
            return new Entry(out.toByteArray(), crc.getValue(), data.length);
        }

        /** The same data, but headers that declare {@code size} bytes. */
        public Entry declaring(long size) {
            return new Entry(deflated, crc, size);
        }

        /** A real bomb: {@code mib} MiB of zeros in about 1 KB per MiB, declared honestly. */
        public static Entry zeros(int mib) {
            Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
            byte[] zeros = new byte[1 << 20];
            byte[] buf = new byte[1 << 16];
            d.setInput(zeros);
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            int n;
            while ((n = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH)) > 0) {
                block.write(buf, 0, n);
            }
            d.setInput(new byte[0]);
            d.finish();
            ByteArrayOutputStream tail = new ByteArrayOutputStream();
            while (!d.finished()) {
                tail.write(buf, 0, d.deflate(buf));
            }
            d.end();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            CRC32 crc = new CRC32();
            for (int i = 0; i < mib; i++) {
                all.writeBytes(block.toByteArray()); // a FULL_FLUSH block refers to nothing before it
                crc.update(zeros);
            }
            all.writeBytes(tail.toByteArray());
            return new Entry(all.toByteArray(), crc.getValue(), (long) mib << 20);
        }
    }

    /** Writes a zip (deflated entries, 32-bit sizes, no data descriptors) with these entries, in order. */
    public static Path zip(Path file, Map<String, Entry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            Entry v = e.getValue();
            int offset = out.size();
            out.writeBytes(le(26 + 4).putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 8)
                    .putShort((short) 0).putShort((short) 0x21).putInt((int) v.crc()).putInt(v.deflated().length)
                    .putInt((int) v.size()).putShort((short) name.length).putShort((short) 0).array());
            out.writeBytes(name);
            out.writeBytes(v.deflated());
            central.writeBytes(le(46).putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0)
                    .putShort((short) 8).putShort((short) 0).putShort((short) 0x21).putInt((int) v.crc())
                    .putInt(v.deflated().length).putInt((int) v.size()).putShort((short) name.length).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(offset).array());
            central.writeBytes(name);
        }
        int cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        out.writeBytes(le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt(central.size()).putInt(cdOffset).putShort((short) 0).array());
        return Files.write(file, out.toByteArray());
    }

    /** A zip of one entry. */
    public static Path zip(Path file, String name, Entry entry) throws IOException {
        Map<String, Entry> m = new LinkedHashMap<>();
        m.put(name, entry);
        return zip(file, m);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Pickle text opcodes as bytes: a small assembler for hand-written pickles. */
    public static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        /** BINUNICODE of {@code s}. */
        public Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(le(4).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        /** BININT (4-byte signed). */
        public Pickle integer(int v) {
            out.write('J');
            out.writeBytes(le(4).putInt(v).array());
            return this;
        }

        /** GLOBAL module.name. */
        public Pickle global(String module, String name) {
            out.write('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** Eight little-endian bytes (legacy storage lengths). */
        public Pickle int64(long v) {
            out.writeBytes(le(8).putLong(v).array());
            return this;
        }

        public byte[] bytes() {
            return out.toByteArray();
        }
    }
}
