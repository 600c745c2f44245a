package io.cddpm.eval;

import java.util.SplittableRandom;

/**
 * Training augmentation for the classifier that keeps every object's color and shape: a random
 * horizontal mirror and a random shift of up to {@code maxShift} pixels (edges repeated). No color,
 * scale or rotation changes, so the labels stay true.
 */
public final class Augmentation {
    private final int size;
    private final int maxShift;

    /** @param size image side; shifts go up to size/16 pixels (4 at 64x64) */
    public Augmentation(int size) {
        this(size, Math.max(1, size / 16));
    }

    public Augmentation(int size, int maxShift) {
        if (maxShift < 0 || maxShift >= size) {
            throw new IllegalArgumentException("shift " + maxShift + " for size " + size);
        }
        this.size = size;
        this.maxShift = maxShift;
    }

    /** Writes an augmented copy of the CHW image {@code in} (3 x size x size) into {@code out} at {@code offset}. */
    public void apply(float[] in, int inOffset, float[] out, int offset, SplittableRandom random) {
        boolean mirror = random.nextBoolean();
        int dx = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
        int dy = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
        int plane = size * size;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                int sy = clamp(y - dy);
                for (int x = 0; x < size; x++) {
                    int sx = clamp(x - dx);
                    if (mirror) {
                        sx = size - 1 - sx;
                    }
                    out[offset + c * plane + y * size + x] = in[inOffset + c * plane + sy * size + sx];
                }
            }
        }
    }

    private int clamp(int v) {
        return v < 0 ? 0 : Math.min(size - 1, v);
    }
}
