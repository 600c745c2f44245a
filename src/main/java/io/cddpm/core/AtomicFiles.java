package io.cddpm.core;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import javax.imageio.ImageIO;

/**
 * Writes that a crash cannot cut short: the bytes go to a temporary file in the target's folder,
 * which is then renamed over the target in one step, so a reader sees the old file or the new one,
 * never half of one. The file gets the permissions of any file the user creates (0666 less the
 * umask), like the pictures and samples of other tools: a temporary file from
 * {@link Files#createTempFile} would be owner-only, and the rename keeps that. (What must stay the
 * owner's, the state database, lives in an owner-only folder.)
 */
public final class AtomicFiles {
    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    public static void write(Path file, byte[] content) {
        write(file, out -> out.write(content));
    }

    public static void writeString(Path file, String content) {
        write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes an image as PNG. */
    public static void writePng(BufferedImage image, Path file) {
        write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer for image type " + image.getType());
            }
        });
    }

    /** A hidden name in the target's folder, after the target, with a random part (created with CREATE_NEW: never another's). */
    private static Path temporarySibling(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
    }

    /** Streams a file's content to a temporary sibling, then renames it over {@code file}. */
    public static void write(Path file, Writer writer) {
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            Path created = temporarySibling(target);
            OutputStream out = Files.newOutputStream(created, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            tmp = created;
            try (out) {
                writer.writeTo(out);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary file is hidden and named after its target; nothing else to do
                }
            }
        }
    }
}
