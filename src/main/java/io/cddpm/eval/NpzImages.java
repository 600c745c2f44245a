package io.cddpm.eval;

import io.cddpm.core.BoundedReads;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the generated images of an {@code images.npz} for scoring, checking the layout instead of
 * trusting it: a uint8, big-endian, NHWC, 1-channel, Fortran-ordered or NaN array used to be scored
 * as if it were {@code sample}'s float32 NCHW in [-1, 1] (wrong numbers) or fail inside DJL.
 *
 * <p>Accepted: the array {@code images} (or the archive's only array), C order, little-endian, 4
 * dimensions with 3 colour channels and square images, either
 * <ul>
 *   <li>float32 in [-1, 1], NCHW (what {@code cddpm sample} writes) or NHWC, or
 *   <li>uint8 0..255, NHWC (numpy / PIL's layout) or NCHW.
 * </ul>
 * Everything else is refused naming the file and what is wrong. Both come back as float32 NCHW in [-1, 1].
 */
public final class NpzImages {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpzImages() {}

    /** Float32 NCHW pixels in [-1, 1]. */
    public record Images(float[] data, int count, int size) {}

    /** Reads and checks {@code file}; {@code expected} is the number of conditions. */
    public static Images read(Path file, int expected) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("images.npy");
            if (entry == null) {
                List<String> arrays = new ArrayList<>();
                zip.stream().filter(e -> e.getName().endsWith(".npy")).forEach(e -> arrays.add(e.getName()));
                if (arrays.size() != 1) {
                    throw new InvalidInputException(file + ": no array 'images' and " + arrays.size() + " others " + arrays
                            + " (sample writes one array, 'images')");
                }
                entry = zip.getEntry(arrays.get(0));
            }
            return parse(BoundedReads.zipEntry(zip, entry, BoundedReads.MAX_ARRAY), file + "!" + entry.getName(), expected);
        } catch (ZipException e) {
            throw new InvalidInputException(file + ": not an .npz archive (" + e.getMessage() + "); give an images.npz or a folder of"
                    + " 000.png ...", e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": unreadable .npz (" + e.getMessage() + ")", e);
        }
    }

    static Images parse(byte[] npy, String where, int expected) {
        ByteBuffer b = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
        if (npy.length < 10 || (npy[0] & 0xff) != 0x93 || !new String(npy, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
            throw new InvalidInputException(where + ": not a .npy array (no \\x93NUMPY magic)");
        }
        int major = npy[6];
        long headerLength = major == 1 ? b.getShort(8) & 0xffff : Integer.toUnsignedLong(b.getInt(8));
        int start = major == 1 ? 10 : 12;
        if (major < 1 || major > 3 || start + headerLength > npy.length) {
            throw new InvalidInputException(where + ": unsupported or truncated .npy header (version " + major + ")");
        }
        String header = new String(npy, start, (int) headerLength, StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, where, "descr");
        if (group(FORTRAN, header, where, "fortran_order").equals("True")) {
            throw new InvalidInputException(where + ": Fortran-ordered array; save it in C order (np.ascontiguousarray)");
        }
        String[] dims = group(SHAPE, header, where, "shape").split(",");
        List<Long> shape = new ArrayList<>();
        for (String d : dims) {
            if (!d.isBlank()) {
                shape.add(Long.parseLong(d.trim()));
            }
        }
        boolean uint8 = descr.equals("|u1") || descr.equals("<u1") || descr.equals("u1");
        boolean float32 = descr.equals("<f4");
        if (!uint8 && !float32) {
            throw new InvalidInputException(where + ": dtype '" + descr + "'" + (descr.startsWith(">") ? " (big-endian)" : "")
                    + "; expected float32 ('<f4', values in [-1, 1]) or uint8 ('|u1', 0..255)");
        }
        if (shape.size() != 4) {
            throw new InvalidInputException(where + ": shape " + shape + "; expected 4 dimensions, N images x 3 channels x H x W"
                    + " (NCHW) or N x H x W x 3 (NHWC)");
        }
        boolean nchw = shape.get(1) == 3 && shape.get(3) != 3;
        boolean nhwc = shape.get(3) == 3 && shape.get(1) != 3;
        if (!nchw && !nhwc) {
            throw new InvalidInputException(where + ": shape " + shape + " has " + (shape.get(1) == 3 ? "an ambiguous" : "no")
                    + " 3-channel RGB axis; expected N x 3 x H x W (NCHW) or N x H x W x 3 (NHWC)");
        }
        long n = shape.get(0);
        long h = nchw ? shape.get(2) : shape.get(1);
        long w = nchw ? shape.get(3) : shape.get(2);
        if (h != w || h < 1) {
            throw new InvalidInputException(where + ": images of " + h + " x " + w + " pixels; expected square images");
        }
        if (n != expected) {
            throw new InvalidInputException(where + ": " + n + " images for " + expected + " conditions");
        }
        long values = n * 3 * h * w;
        long dataStart = start + headerLength;
        if (npy.length - dataStart != values * (uint8 ? 1 : 4)) {
            throw new InvalidInputException(where + ": shape " + shape + " needs " + values * (uint8 ? 1 : 4) + " data bytes, the"
                    + " array holds " + (npy.length - dataStart));
        }
        int size = (int) h;
        float[] out = new float[(int) values];
        int plane = size * size;
        int bad = 0;
        long firstBad = -1;
        for (int i = 0; i < values; i++) {
            // i walks the output NCHW; src is the same pixel in the file's layout
            int image = i / (3 * plane);
            int c = i / plane % 3;
            int pixel = i % plane;
            int src = nchw ? i : image * 3 * plane + pixel * 3 + c;
            float v = uint8 ? (npy[(int) dataStart + src] & 0xff) / 127.5f - 1f : b.getFloat((int) (dataStart + 4L * src));
            if (!(v >= -1.001f && v <= 1.001f)) {
                if (bad++ == 0) {
                    firstBad = i;
                }
            }
            out[i] = v;
        }
        if (bad > 0) {
            throw new InvalidInputException(where + ": " + bad + " of " + values + " values are NaN, infinite or outside [-1, 1]"
                    + " (first at image " + firstBad / (3 * plane) + ": " + out[(int) firstBad] + "); float32 images are in [-1, 1]");
        }
        return new Images(out, (int) n, size);
    }

    private static String group(Pattern p, String header, String where, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new InvalidInputException(where + ": .npy header has no '" + key + "': " + header.trim());
        }
        return m.group(1);
    }
}
