package io.cddpm.data;

import io.cddpm.core.InvalidInputException;
import io.cddpm.core.Limits;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.slf4j.LoggerFactory;

/**
 * Loads a dataset root preprocessed to a resolution, through a one-file cache:
 * {@code CACHE_DIR/iclevr-<key>-<res>.bin}. The key hashes the content of train.json and
 * objects.json, the image folder name and each image's name, size and modification time (as make
 * does), and the resolution; any change makes a new cache file. Format: a header (magic, version,
 * count, resolution, label count), then the names, the label bytes and the uint8 CHW pixels.
 */
public final class DatasetCache {
    private static final int MAGIC = 0x43444450; // "CDDP"
    private static final int VERSION = 1;

    private final Path cacheDir;

    /** @param cacheDir where cache files live (e.g. ROOT/.cddpm-cache) */
    public DatasetCache(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /** The default cache folder of a dataset root. */
    public static DatasetCache forRoot(DatasetRoot root) {
        return new DatasetCache(root.root().resolve(".cddpm-cache"));
    }

    /** The dataset at {@code resolution}: from the cache when its key matches, else decoded (in parallel) and cached. */
    public IclevrDataset load(DatasetRoot root, int resolution, IntConsumer progress) {
        TrainSpec spec = root.validate();
        Path file = cacheDir.resolve("iclevr-" + key(root, spec, resolution).substring(0, 16) + "-" + resolution + ".bin");
        if (Files.isRegularFile(file)) {
            try {
                return read(file);
            } catch (IOException | RuntimeException e) {
                // a damaged cache is rebuilt from the images (the source of truth), never trusted
                LoggerFactory.getLogger(DatasetCache.class).warn("cache {} unreadable ({}); rebuilding", file, e.toString());
            }
        }
        IclevrDataset dataset = decode(root, spec, resolution, progress);
        write(dataset, file);
        return dataset;
    }

    static IclevrDataset decode(DatasetRoot root, TrainSpec spec, int resolution, IntConsumer progress) {
        int n = spec.size();
        Limits.datasetTooLarge(n, resolution).ifPresent(why -> {
            throw new InvalidInputException(root.root() + ": " + why);
        });
        int numLabels = spec.labels().size();
        int imageBytes = 3 * resolution * resolution;
        Path firstFile = root.image(spec.entries().get(0).fileName());
        BufferedImage firstImage = decodeImage(firstFile);
        DatasetImageSize first = DatasetImageSize.of(firstFile, firstImage.getWidth(), firstImage.getHeight());
        byte[] pixels = new byte[n * imageBytes];
        byte[] labels = new byte[n * numLabels];
        List<String> names = new ArrayList<>(n);
        AtomicInteger done = new AtomicInteger();
        for (LabeledImage e : spec.entries()) {
            names.add(e.fileName());
        }
        IntStream.range(0, n).parallel().forEach(i -> {
            LabeledImage e = spec.entries().get(i);
            Path file = root.image(e.fileName());
            BufferedImage image = decodeImage(file);
            first.requireSame(DatasetImageSize.of(file, image.getWidth(), image.getHeight()), file, firstFile);
            System.arraycopy(ImageResizer.toChw(image, resolution), 0, pixels, i * imageBytes, imageBytes);
            for (int index : e.indices()) {
                labels[i * numLabels + index] = 1;
            }
            if (progress != null) {
                progress.accept(done.incrementAndGet());
            }
        });
        return new IclevrDataset(resolution, numLabels, pixels, labels, names);
    }

    private static BufferedImage decodeImage(Path file) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException ex) {
            throw new InvalidInputException(file + ": unreadable or corrupt image (" + ex.getMessage() + ")", ex);
        }
        if (image == null) {
            throw new InvalidInputException(file + ": not a PNG/JPEG image ImageIO can decode");
        }
        return image;
    }

    static String key(DatasetRoot root, TrainSpec spec, int resolution) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Files.readAllBytes(root.trainJson()));
            if (Files.isRegularFile(root.objectsJson())) {
                md.update(Files.readAllBytes(root.objectsJson()));
            }
            md.update(root.imageDir().getBytes(StandardCharsets.UTF_8));
            md.update(Integer.toString(resolution).getBytes(StandardCharsets.UTF_8));
            for (LabeledImage e : spec.entries()) {
                BasicFileAttributes a = Files.readAttributes(root.image(e.fileName()), BasicFileAttributes.class);
                md.update((e.fileName() + "|" + a.size() + "|" + a.lastModifiedTime().toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(IclevrDataset d, Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20))) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(d.size());
                out.writeInt(d.resolution());
                out.writeInt(d.numLabels());
                for (String name : d.names()) {
                    out.writeUTF(name);
                }
                out.write(d.labelBytes());
                out.write(d.pixelBytes());
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing dataset cache " + file, e);
        }
    }

    static IclevrDataset read(Path file) throws IOException {
        try (InputStream is = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException("not a cddpm dataset cache (or an older version)");
            }
            int n = in.readInt();
            int resolution = in.readInt();
            int numLabels = in.readInt();
            // sizes from the file are checked against the file before anything is allocated
            long need = 20L + (long) n * (numLabels + 3L * resolution * resolution);
            if (n <= 0 || resolution <= 0 || numLabels <= 0 || resolution > 4096 || numLabels > 4096 || need > Files.size(file)) {
                throw new IOException("header (" + n + " images, " + resolution + "px, " + numLabels + " labels) does not fit the file's "
                        + Files.size(file) + " bytes");
            }
            List<String> names = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                names.add(SafeNames.check(in.readUTF(), file + ": cached name"));
            }
            byte[] labels = new byte[n * numLabels];
            in.readFully(labels);
            byte[] pixels = new byte[n * 3 * resolution * resolution];
            in.readFully(pixels);
            if (in.read() != -1) {
                throw new IOException("trailing bytes");
            }
            return new IclevrDataset(resolution, numLabels, pixels, labels, names);
        }
    }
}
