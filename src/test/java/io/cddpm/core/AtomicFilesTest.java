package io.cddpm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, point 9: an interrupted write leaves the old file or none, never a part. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aWriteThatDiesHalfWayLeavesNoFile() throws IOException {
        Path png = dir.resolve("CLEVR_0.png");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(png, out -> {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
            throw new IOException("interrupted");
        }));
        assertFalse(Files.exists(png));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "no temporary file is left behind");
        }
    }

    @Test
    void aFailedRewriteKeepsTheOldFile() throws IOException {
        Path png = dir.resolve("a.png");
        AtomicFiles.writePng(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), png);
        byte[] before = Files.readAllBytes(png);
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(png, out -> {
            throw new IOException("disk full");
        }));
        assertEquals(before.length, Files.readAllBytes(png).length);
    }

    @Test
    void aWrittenFileHasThePermissionsOfAnyNewFileOfTheUserNotOwnerOnly() throws IOException {
        // Java cannot read the umask: a file created plainly in the same folder shows what it gives
        Path plain = Files.createFile(dir.resolve("plain"));
        Path png = dir.resolve("grid.png");
        AtomicFiles.writePng(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), png);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(png));
        AtomicFiles.writeString(png, "again");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(png), "a rewrite too");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(2, left.count(), "no temporary file is left behind");
        }
    }
}
