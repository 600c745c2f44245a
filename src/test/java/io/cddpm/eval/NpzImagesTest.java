package io.cddpm.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.viz.SampleFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, point 10(b): images.npz layouts are checked; the documented ones are read, the rest refused by name. */
class NpzImagesTest {
    @TempDir
    Path dir;

    /** A .npy of raw little- or big-endian bytes with the given header fields. */
    private static byte[] npy(String descr, boolean fortran, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + shape + "), }";
        int pad = 64 - (10 + dict.length() + 1) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    private Path npz(String name, byte[] npy) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("images.npy"));
            zip.write(npy);
            zip.closeEntry();
        }
        return f;
    }

    private static byte[] floats(ByteOrder order, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 255 / 127.5f - 1f;
        }
        return v;
    }

    private String refused(Path f, int expected) {
        return assertThrows(InvalidInputException.class, () -> NpzImages.read(f, expected)).getMessage();
    }

    @Test
    void whatSampleWritesIsReadUnchanged() throws IOException {
        Engines.pytorch();
        float[] v = ramp(2 * 3 * 8 * 8);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(v, new Shape(2, 3, 8, 8));
            SampleFiles.write(a, List.of(List.of("red cube"), List.of("blue sphere", "gray cylinder")), dir.resolve("s"));
        }
        NpzImages.Images r = NpzImages.read(dir.resolve("s/images.npz"), 2);
        assertEquals(2, r.count());
        assertEquals(8, r.size());
        assertArrayEquals(v, r.data(), 0f);
    }

    @Test
    void uint8NhwcIsTheSameImageAsFloatNchw() throws IOException {
        int n = 2;
        int s = 4;
        float[] nchw = new float[n * 3 * s * s];
        byte[] nhwc = new byte[nchw.length];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < s * s; p++) {
                    int value = (i * 50 + c * 70 + p * 9) % 256;
                    nchw[((i * 3) + c) * s * s + p] = value / 127.5f - 1f;
                    nhwc[(i * s * s + p) * 3 + c] = (byte) value;
                }
            }
        }
        NpzImages.Images r = NpzImages.read(npz("u8.npz", npy("|u1", false, "2, 4, 4, 3", nhwc)), 2);
        assertArrayEquals(nchw, r.data(), 1e-6f);
        float[] nhwcFloats = new float[nchw.length];
        for (int i = 0; i < nhwc.length; i++) {
            nhwcFloats[i] = (nhwc[i] & 0xff) / 127.5f - 1f;
        }
        r = NpzImages.read(npz("f32nhwc.npz", npy("<f4", false, "2, 4, 4, 3", floats(ByteOrder.LITTLE_ENDIAN, nhwcFloats))), 2);
        assertArrayEquals(nchw, r.data(), 1e-6f);
    }

    @Test
    void otherLayoutsAreRefusedByName() throws IOException {
        float[] v = ramp(3 * 8 * 8);
        String m = refused(npz("be.npz", npy(">f4", false, "1, 3, 8, 8", floats(ByteOrder.BIG_ENDIAN, v))), 1);
        assertTrue(m.contains("be.npz!images.npy") && m.contains("'>f4'") && m.contains("big-endian"), m);
        m = refused(npz("fortran.npz", npy("<f4", true, "1, 3, 8, 8", floats(ByteOrder.LITTLE_ENDIAN, v))), 1);
        assertTrue(m.contains("fortran.npz") && m.contains("Fortran-ordered"), m);
        m = refused(npz("gray.npz", npy("<f4", false, "3, 1, 8, 8", floats(ByteOrder.LITTLE_ENDIAN, v))), 3);
        assertTrue(m.contains("gray.npz") && m.contains("no 3-channel RGB axis"), m);
        float[] nan = new float[v.length];
        Arrays.fill(nan, Float.NaN);
        m = refused(npz("nan.npz", npy("<f4", false, "1, 3, 8, 8", floats(ByteOrder.LITTLE_ENDIAN, nan))), 1);
        assertTrue(m.contains("nan.npz") && m.contains("192 of 192 values are NaN"), m);
        float[] wide = v.clone();
        wide[5] = 200f; // 0..255 floats are not [-1, 1]
        m = refused(npz("wide.npz", npy("<f4", false, "1, 3, 8, 8", floats(ByteOrder.LITTLE_ENDIAN, wide))), 1);
        assertTrue(m.contains("1 of 192") && m.contains("outside [-1, 1]"), m);
        m = refused(npz("f64.npz", npy("<f8", false, "1, 3, 8, 8", new byte[8 * 192])), 1);
        assertTrue(m.contains("dtype '<f8'"), m);
        m = refused(npz("count.npz", npy("<f4", false, "1, 3, 8, 8", floats(ByteOrder.LITTLE_ENDIAN, v))), 32);
        assertTrue(m.contains("1 images for 32 conditions"), m);
        m = refused(npz("short.npz", npy("<f4", false, "1, 3, 8, 8", new byte[100])), 1);
        assertTrue(m.contains("needs 768 data bytes"), m);
        Path text = Files.writeString(dir.resolve("images.npz"), "not a zip");
        m = refused(text, 1);
        assertTrue(m.contains(text + ": not an .npz archive"), m);
    }
}
