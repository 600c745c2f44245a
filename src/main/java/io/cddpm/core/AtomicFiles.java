package io.cddpm.core;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * Writes files so that a reader sees the old file or the whole new one, never a part: the bytes go
 * to a temporary name in the same folder (same file system, so the rename is atomic), which is then
 * renamed over the target. An interrupted {@code data synth} therefore leaves at most a stray
 * {@code .NAME.*.tmp}, never a 0-byte or truncated {@code NAME.png} that a later check or cache
 * would take for an image.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes what {@code body} produces to {@code file}, atomically. */
    public static void write(Path file, IoBody body) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                body.write(out);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes an image as PNG to {@code file}, atomically. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer for image type " + image.getType());
            }
        });
    }

    /** Produces a file's bytes. */
    @FunctionalInterface
    public interface IoBody {
        void write(OutputStream out) throws IOException;
    }
}
