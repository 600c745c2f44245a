package io.cddpm.viz;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A grid of equally sized images with the layout of torchvision's {@code make_grid}: {@code perRow}
 * images per row (fewer when there are fewer images), {@code padding} pixels around and between
 * tiles, filled with the pad value (default black, as make_grid's {@code pad_value=0}). A grid of N
 * images of W x H is {@code cols * (W + padding) + padding} wide and {@code rows * (H + padding) +
 * padding} high, with {@code cols = min(perRow, N)} and {@code rows = ceil(N / cols)}; tile i sits
 * at x = (i % cols) * (W + padding) + padding, y = (i / cols) * (H + padding) + padding.
 */
public final class ImageGrid {
    /** torchvision's default {@code nrow}. */
    public static final int PER_ROW = 8;
    /** torchvision's default {@code padding}. */
    public static final int PADDING = 2;

    private ImageGrid() {}

    /** 8 per row, 2-pixel black padding: 32 images make an 8 x 4 grid. */
    public static BufferedImage of(List<BufferedImage> images) {
        return of(images, PER_ROW, PADDING, Color.BLACK);
    }

    public static BufferedImage of(List<BufferedImage> images, int perRow, int padding, Color padColor) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images for the grid");
        }
        if (perRow <= 0 || padding < 0) {
            throw new IllegalArgumentException("perRow must be > 0 and padding >= 0");
        }
        int w = images.get(0).getWidth();
        int h = images.get(0).getHeight();
        for (BufferedImage img : images) {
            if (img.getWidth() != w || img.getHeight() != h) {
                throw new IllegalArgumentException("all grid images must be " + w + "x" + h + ", got "
                        + img.getWidth() + "x" + img.getHeight());
            }
        }
        int cols = Math.min(perRow, images.size());
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage grid = new BufferedImage(cols * (w + padding) + padding, rows * (h + padding) + padding,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(padColor);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int i = 0; i < images.size(); i++) {
                g.drawImage(images.get(i), (i % cols) * (w + padding) + padding, (i / cols) * (h + padding) + padding, null);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }
}
