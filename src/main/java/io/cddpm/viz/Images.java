package io.cddpm.viz;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.AtomicFiles;
import io.cddpm.core.InvalidInputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Model tensors to pictures: images in [-1, 1] become 8-bit RGB exactly as torchvision's
 * {@code save_image(..., normalize=True, value_range=(-1, 1))} does it (clamp, scale to [0, 1],
 * {@code * 255 + 0.5}, truncate).
 */
public final class Images {
    private Images() {}

    /** One value in [-1, 1] as a byte 0..255, as torchvision saves it. */
    public static int toByte(float v) {
        float x = Math.max(-1f, Math.min(1f, v));
        x = (x + 1f) / 2f;
        float scaled = Math.max(0f, Math.min(255f, x * 255f + 0.5f));
        return (int) scaled;
    }

    /** The images of a (N, C, H, W) or (C, H, W) tensor in [-1, 1] (C = 1 or 3), on any device and float type. */
    public static List<BufferedImage> fromTensor(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() == 3) {
            return fromTensor(images.expandDims(0));
        }
        if (s.dimension() != 4 || (s.get(1) != 1 && s.get(1) != 3)) {
            throw new IllegalArgumentException("expected images as (N, 3, H, W) or (N, 1, H, W), got " + s);
        }
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] data = images.toType(DataType.FLOAT32, false).toFloatArray();
        List<BufferedImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(fromChw(data, i * c * h * w, c, h, w));
        }
        return out;
    }

    /** One image from CHW floats in [-1, 1] starting at {@code offset} (C = 1 or 3). */
    public static BufferedImage fromChw(float[] data, int offset, int channels, int height, int width) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = offset + y * width + x;
                int r = toByte(data[i]);
                int g = channels == 3 ? toByte(data[i + plane]) : r;
                int b = channels == 3 ? toByte(data[i + 2 * plane]) : r;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    /** Writes a PNG, creating the parent folders. */
    public static void writePng(BufferedImage image, Path out) {
        AtomicFiles.writePng(image, out);
    }

    /** Reads an image file (PNG, JPEG); InvalidInputException naming the file when it is not one. */
    public static BufferedImage read(Path file) {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new InvalidInputException(file + " is not a readable image");
            }
            return img;
        } catch (IOException e) {
            throw new InvalidInputException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }
}
