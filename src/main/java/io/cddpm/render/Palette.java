package io.cddpm.render;

/**
 * CLEVR's object colors (sRGB, from CLEVR's properties.json) in i-CLEVR's color order
 * (gray, red, blue, green, brown, purple, cyan, yellow), as linear-light albedos for shading.
 */
public final class Palette {
    private static final int[][] SRGB = {
        {87, 87, 87}, {173, 35, 35}, {42, 75, 215}, {29, 105, 20},
        {129, 74, 25}, {129, 38, 192}, {41, 208, 208}, {255, 238, 51},
    };

    private Palette() {}

    /** The sRGB triple (0-255) of color index c. */
    public static int[] srgb(int color) {
        return SRGB[color].clone();
    }

    /** The linear-light albedo (0-1) of color index c. */
    public static double[] linear(int color) {
        int[] c = SRGB[color];
        return new double[] {toLinear(c[0]), toLinear(c[1]), toLinear(c[2])};
    }

    static double toLinear(int srgb) {
        return Math.pow(srgb / 255.0, 2.2);
    }

    /** Linear light (0-1, clamped) to an 8-bit sRGB value. */
    static int toSrgb(double linear) {
        double v = Math.pow(Math.max(0.0, Math.min(1.0, linear)), 1.0 / 2.2);
        return (int) Math.round(v * 255.0);
    }
}
