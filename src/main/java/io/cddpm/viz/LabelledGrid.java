package io.cddpm.viz;

import ai.djl.ndarray.NDArray;
import io.cddpm.render.ObjectLabel;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The picture of a condition file's samples that says what each sample was asked for: the samples,
 * enlarged (nearest neighbour) to at least {@link #MIN_TILE} pixels wide so that a 16x16 or 32x32
 * sample stays readable in report.html and in MLflow's image view, {@link ImageGrid#PER_ROW} per row
 * in file order, and under each one a caption with one line per object of its condition (a small
 * drawing of the object in its color, then its label). When the conditions form a shape x color table
 * (the built-in {@code singles}: one label per sample, each row one shape, each column one color), a
 * legend row and column name the colors and shapes instead of a caption under every sample
 * ({@link LegendGrid}).
 */
public final class LabelledGrid {
    /** The least width, in pixels, a sample gets in a grid or strip. */
    public static final int MIN_TILE = 96;
    /** Space between tiles. */
    static final int PADDING = 4;
    static final Color BACKGROUND = Color.WHITE;
    static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color CAPTION_BACKGROUND = new Color(0xF2, 0xF2, 0xF2);
    /** Caption font sizes tried, largest first, until the widest line fits under its sample. */
    private static final int LARGEST_FONT = 12;
    private static final int SMALLEST_FONT = 9;
    /** Space around a caption's lines inside its strip. */
    private static final int INSET = 3;

    private LabelledGrid() {}

    /** The images of a (N, 3, H, W) tensor in [-1, 1], with condition i under image i. */
    public static BufferedImage of(NDArray images, List<List<String>> conditions) {
        return of(Images.fromTensor(images), conditions);
    }

    /** The images with condition i (its labels, e.g. ["red cube", "blue sphere"]) under image i. */
    public static BufferedImage of(List<BufferedImage> images, List<List<String>> conditions) {
        if (images.size() != conditions.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + conditions.size() + " conditions");
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images for the grid");
        }
        int scale = scaleFor(images.get(0).getWidth());
        List<BufferedImage> tiles = images.stream().map(i -> enlarge(i, scale)).toList();
        Optional<LegendGrid> legend = LegendGrid.of(conditions, ImageGrid.PER_ROW);
        return legend.isPresent() ? legend.get().draw(tiles) : captioned(tiles, conditions);
    }

    /** How many times a sample this wide is enlarged: the least integer factor that makes it {@link #MIN_TILE} wide. */
    public static int scaleFor(int width) {
        if (width <= 0) {
            throw new IllegalArgumentException("width " + width);
        }
        return width >= MIN_TILE ? 1 : (MIN_TILE + width - 1) / width;
    }

    /** The image enlarged {@code scale} times, every pixel a scale x scale block (nearest neighbour: no blur). */
    public static BufferedImage enlarge(BufferedImage image, int scale) {
        if (scale == 1) {
            return image;
        }
        BufferedImage out = new BufferedImage(image.getWidth() * scale, image.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, image.getRGB(x / scale, y / scale));
            }
        }
        return out;
    }

    /** A graphics context for drawing text: antialiased, on {@code image}. */
    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        return g;
    }

    static Font font(int size) {
        return new Font(Font.SANS_SERIF, Font.PLAIN, size);
    }

    /** Each tile with its caption strip (as high as the longest condition needs) under it, in make_grid's layout. */
    private static BufferedImage captioned(List<BufferedImage> tiles, List<List<String>> conditions) {
        int w = tiles.get(0).getWidth();
        int h = tiles.get(0).getHeight();
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = graphics(probe);
        FontMetrics fm = fitting(pg, conditions, w - 2 * INSET);
        pg.dispose();
        int lines = conditions.stream().mapToInt(List::size).max().orElse(1);
        int captionHeight = lines * fm.getHeight() + 2 * INSET;
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < tiles.size(); i++) {
            BufferedImage tile = new BufferedImage(w, h + captionHeight, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = graphics(tile);
            try {
                g.setColor(CAPTION_BACKGROUND);
                g.fillRect(0, 0, w, tile.getHeight());
                g.drawImage(tiles.get(i), 0, 0, null);
                g.setFont(fm.getFont());
                int y = h + INSET;
                for (String label : conditions.get(i)) {
                    drawLine(g, label, INSET, y, w - 2 * INSET);
                    y += fm.getHeight();
                }
            } finally {
                g.dispose();
            }
            out.add(tile);
        }
        return ImageGrid.of(out, ImageGrid.PER_ROW, PADDING, BACKGROUND);
    }

    /** The largest caption font whose widest line fits {@code width} (the smallest one when none does). */
    private static FontMetrics fitting(Graphics2D g, List<List<String>> conditions, int width) {
        FontMetrics fm = null;
        for (int size = LARGEST_FONT; size >= SMALLEST_FONT; size--) {
            fm = g.getFontMetrics(font(size));
            int widest = 0;
            for (List<String> condition : conditions) {
                for (String label : condition) {
                    widest = Math.max(widest, lineWidth(fm, label));
                }
            }
            if (widest <= width) {
                break;
            }
        }
        return fm;
    }

    /** The width of a caption line: the object's glyph and a gap (when the label names an i-CLEVR object), then the label. */
    static int lineWidth(FontMetrics fm, String label) {
        return glyphWidth(fm, label) + fm.stringWidth(label);
    }

    private static int glyphWidth(FontMetrics fm, String label) {
        return ObjectLabel.parse(label).isPresent() ? glyphSize(fm) + INSET : 0;
    }

    static int glyphSize(FontMetrics fm) {
        return fm.getAscent();
    }

    /**
     * One caption line with its top at y: the glyph of the object the label names (if it names one), then
     * the label, cut with an ellipsis where it would pass {@code width}.
     */
    static void drawLine(Graphics2D g, String label, int x, int y, int width) {
        FontMetrics fm = g.getFontMetrics();
        Optional<ObjectLabel> object = ObjectLabel.parse(label);
        int size = glyphSize(fm);
        if (object.isPresent()) {
            ObjectGlyph.draw(g, object.get(), x, y + (fm.getHeight() - size) / 2, size);
        }
        int textX = x + glyphWidth(fm, label);
        g.setColor(INK);
        g.drawString(fitted(fm, label, width - (textX - x)), textX, y + fm.getAscent());
    }

    /** The text, or as much of it as fits {@code width} followed by an ellipsis. */
    static String fitted(FontMetrics fm, String text, int width) {
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        String cut = text;
        while (!cut.isEmpty() && fm.stringWidth(cut + "…") > width) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "…";
    }
}
