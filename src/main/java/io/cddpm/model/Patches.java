package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Space-to-depth and back (PyTorch's pixel_unshuffle / pixel_shuffle): each p x p patch of an image
 * becomes one position with C p^2 channels, channel c p^2 + i p + j holding pixel (i, j) of channel c
 * of the patch. Pure reshapes and transposes, so they are exact and cost no parameters: a UNet that
 * works on (B, 3 p^2, H/p, W/p) costs about what the same UNet costs on an (H/p)-sized image ("simple
 * diffusion", Hoogeboom et al. 2023).
 *
 * <p>The arguments are left open (the caller owns them); the result lives in the argument's manager.
 */
public final class Patches {
    private Patches() {}

    /** (B, C, H, W) -> (B, C p^2, H/p, W/p); H and W must be multiples of p. */
    public static NDArray patchify(NDArray x, int p) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        if (h % p != 0 || w % p != 0) {
            throw new IllegalArgumentException("image " + h + "x" + w + " is not a whole number of " + p + "x" + p + " patches");
        }
        try (NDArray split = x.reshape(b, c, h / p, p, w / p, p);
                NDArray moved = split.transpose(0, 1, 3, 5, 2, 4)) {
            return moved.reshape(b, c * p * p, h / p, w / p);
        }
    }

    /** (B, C p^2, h, w) -> (B, C, h p, w p): the inverse of {@link #patchify}. */
    public static NDArray unpatchify(NDArray x, int p) {
        Shape s = x.getShape();
        long b = s.get(0);
        long cpp = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        if (cpp % ((long) p * p) != 0) {
            throw new IllegalArgumentException(cpp + " channels are not a whole number of " + p + "x" + p + " patches");
        }
        long c = cpp / ((long) p * p);
        try (NDArray split = x.reshape(b, c, p, p, h, w);
                NDArray moved = split.transpose(0, 1, 4, 2, 5, 3)) {
            return moved.reshape(b, c, h * p, w * p);
        }
    }
}
