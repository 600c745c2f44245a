package io.cddpm.data;

import java.awt.image.BufferedImage;

/**
 * Converts an image (any size, RGB or RGBA; alpha is dropped, as the course's loader did with
 * convert('RGB')) to a square RGB image of the target resolution, stored as CHW bytes. Downscaling
 * averages every source pixel over its exact (fractional) coverage of the target pixel — a box
 * filter, free of aliasing; upscaling is bilinear.
 */
public final class ImageResizer {
    private ImageResizer() {}

    /** (3 * size * size) bytes, channel-major (R plane, G plane, B plane). */
    public static byte[] toChw(BufferedImage image, int size) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[][] planes = new float[3][w * h];
        for (int i = 0; i < argb.length; i++) {
            planes[0][i] = (argb[i] >> 16) & 0xff;
            planes[1][i] = (argb[i] >> 8) & 0xff;
            planes[2][i] = argb[i] & 0xff;
        }
        byte[] out = new byte[3 * size * size];
        for (int c = 0; c < 3; c++) {
            float[] rows = resizeAxis(planes[c], w, h, size, /* horizontal= */ true); // -> size x h
            float[] both = resizeAxis(rows, size, h, size, /* horizontal= */ false); // -> size x size
            for (int i = 0; i < size * size; i++) {
                out[c * size * size + i] = (byte) Math.max(0, Math.min(255, Math.round(both[i])));
            }
        }
        return out;
    }

    /** Resizes one axis of a (w x h) row-major plane to n samples. */
    private static float[] resizeAxis(float[] src, int w, int h, int n, boolean horizontal) {
        int len = horizontal ? w : h;
        int other = horizontal ? h : w;
        float[] dst = horizontal ? new float[n * h] : new float[w * n];
        int outW = horizontal ? n : w;
        for (int o = 0; o < other; o++) {
            for (int i = 0; i < n; i++) {
                double value;
                if (len >= n) {
                    double start = (double) i * len / n;
                    double end = (double) (i + 1) * len / n;
                    double sum = 0;
                    for (int k = (int) Math.floor(start); k < Math.ceil(end) && k < len; k++) {
                        double cover = Math.min(end, k + 1) - Math.max(start, k);
                        sum += cover * at(src, w, horizontal ? k : o, horizontal ? o : k);
                    }
                    value = sum / (end - start);
                } else {
                    double pos = (i + 0.5) * len / n - 0.5;
                    int k0 = (int) Math.floor(pos);
                    double f = pos - k0;
                    int a = Math.max(0, Math.min(len - 1, k0));
                    int b = Math.max(0, Math.min(len - 1, k0 + 1));
                    value = (1 - f) * at(src, w, horizontal ? a : o, horizontal ? o : a)
                            + f * at(src, w, horizontal ? b : o, horizontal ? o : b);
                }
                int x = horizontal ? i : o;
                int y = horizontal ? o : i;
                dst[y * outW + x] = (float) value;
            }
        }
        return dst;
    }

    private static float at(float[] plane, int w, int x, int y) {
        return plane[y * w + x];
    }
}
