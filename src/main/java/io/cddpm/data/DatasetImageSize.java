package io.cddpm.data;

import io.cddpm.core.InvalidInputException;
import java.nio.file.Path;

/**
 * The image sizes a dataset root may hold, checked rather than assumed: all its images share one
 * size, either square (cddpm's renders, or any set already square) or the course's 320x240 (the real
 * i-CLEVR PNGs, squeezed to a square as the course's loader did). Each image is then resampled to
 * the resolution ({@link ImageResizer}: area-averaged down, bilinear up). Any other shape, or a size
 * that differs from the root's first image, is refused naming the file and its size.
 */
public record DatasetImageSize(int width, int height) {
    /** i-CLEVR's own images: CLEVR's 320x240 renders, the one non-square size accepted. */
    public static final DatasetImageSize COURSE = new DatasetImageSize(320, 240);

    /** The size of {@code file}, refused unless square or {@link #COURSE}. */
    public static DatasetImageSize of(Path file, int width, int height) {
        DatasetImageSize size = new DatasetImageSize(width, height);
        if (width != height && !size.equals(COURSE)) {
            throw new InvalidInputException(file + ": " + size + " pixels; a dataset's images are square, or the course's " + COURSE
                    + " (squeezed to a square)");
        }
        return size;
    }

    /** Refuses {@code other} (the size of {@code otherFile}) unless it is this size, that of the root's first image {@code firstFile}. */
    public void requireSame(DatasetImageSize other, Path otherFile, Path firstFile) {
        if (!equals(other)) {
            throw new InvalidInputException(otherFile + ": " + other + " pixels, but " + firstFile.getFileName() + " is " + this
                    + ": a dataset's images share one size");
        }
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
