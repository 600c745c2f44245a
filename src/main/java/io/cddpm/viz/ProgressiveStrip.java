package io.cddpm.viz;

import ai.djl.ndarray.NDArray;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Progressive generation: the intermediate images of one sampling run left to right, ending with
 * the final image, as one picture. The frames are enlarged like a grid's tiles
 * ({@link LabelledGrid#scaleFor}); each has its step's label (e.g. "t=999", "final") centred under
 * it, in a column as wide as the frame or the widest label, whichever is wider, so labels never run
 * into each other; a title line above shows the condition being drawn.
 */
public final class ProgressiveStrip {
    private static final int FONT = 12;
    /** Space between columns, and around the text. */
    private static final int GAP = 6;

    private ProgressiveStrip() {}

    /**
     * Writes the strip of sampled intermediates (each (1, 3, H, W) in [-1, 1], the final image last) taken
     * at the given timesteps, for one condition, as a PNG.
     */
    public static void write(List<NDArray> intermediates, List<Integer> timesteps, List<String> condition, Path png) {
        List<BufferedImage> frames = intermediates.stream().map(a -> Images.fromTensor(a).get(0)).toList();
        Images.writePng(of(frames, labels(timesteps), condition), png);
    }

    /**
     * The frames in one row with the step label of each under it (labels.size() == frames.size()) and
     * the condition's labels (e.g. ["red cube", "blue sphere"]) as a title; no title when it is empty.
     */
    public static BufferedImage of(List<BufferedImage> frames, List<String> labels, List<String> condition) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames for the strip");
        }
        return of(frames, labels, condition, LabelledGrid.scaleFor(frames.get(0).getWidth()));
    }

    /** As {@link #of(List, List, List)}, the frames enlarged {@code scale} times. */
    static BufferedImage of(List<BufferedImage> frames, List<String> labels, List<String> condition, int scale) {
        if (labels.size() != frames.size()) {
            throw new IllegalArgumentException(frames.size() + " frames but " + labels.size() + " labels");
        }
        List<BufferedImage> tiles = frames.stream().map(f -> LabelledGrid.enlarge(f, scale)).toList();
        int w = tiles.get(0).getWidth();
        int h = tiles.get(0).getHeight();
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = LabelledGrid.graphics(probe);
        FontMetrics fm = pg.getFontMetrics(LabelledGrid.font(FONT));
        pg.dispose();
        int column = columnWidth(fm, labels, w);
        int titleWidth = condition.stream().mapToInt(l -> LabelledGrid.lineWidth(fm, l) + fm.stringWidth(", ")).sum();
        int titleHeight = condition.isEmpty() ? 0 : fm.getHeight() + GAP;
        int width = Math.max(GAP + tiles.size() * (column + GAP), titleWidth + 2 * GAP);
        int top = titleHeight + GAP;
        BufferedImage out = new BufferedImage(width, top + h + GAP + fm.getHeight() + GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = LabelledGrid.graphics(out);
        try {
            g.setColor(LabelledGrid.BACKGROUND);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setFont(fm.getFont());
            if (!condition.isEmpty()) {
                drawTitle(g, condition, GAP, GAP);
            }
            for (int i = 0; i < tiles.size(); i++) {
                int left = GAP + i * (column + GAP);
                g.drawImage(tiles.get(i), left + (column - w) / 2, top, null);
                g.setColor(LabelledGrid.INK);
                g.drawString(labels.get(i), left + (column - fm.stringWidth(labels.get(i))) / 2, top + h + GAP + fm.getAscent());
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** A column's width: the frame's, or the widest label's with a margin on each side when that is wider. */
    private static int columnWidth(FontMetrics fm, List<String> labels, int frameWidth) {
        int widest = labels.stream().mapToInt(fm::stringWidth).max().orElse(0);
        return Math.max(frameWidth, widest + 2 * GAP);
    }

    /** The condition's objects in a row, each its glyph and label, separated by commas. */
    private static void drawTitle(Graphics2D g, List<String> condition, int x, int y) {
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < condition.size(); i++) {
            LabelledGrid.drawLine(g, condition.get(i), x, y, Integer.MAX_VALUE / 2);
            x += LabelledGrid.lineWidth(fm, condition.get(i));
            if (i < condition.size() - 1) {
                g.setColor(LabelledGrid.INK);
                g.drawString(", ", x, y + fm.getAscent());
                x += fm.stringWidth(", ");
            }
        }
    }

    /**
     * The timesteps at which a DDPM run of {@code trainTimesteps} steps is captured every
     * {@code every} steps, starting with the first step: 1000 and 111 give 999, 888, ..., 111, 0,
     * where the image captured at t is the sample after the denoising step at t (t = 0: the final image).
     * The final step 0 is always included.
     */
    public static List<Integer> ddpmTimesteps(int trainTimesteps, int every) {
        if (trainTimesteps <= 0 || every <= 0) {
            throw new IllegalArgumentException("trainTimesteps and every must be > 0");
        }
        List<Integer> out = new ArrayList<>();
        for (int t = trainTimesteps - 1; t >= 0; t -= every) {
            out.add(t);
        }
        if (out.get(out.size() - 1) != 0) {
            out.add(0);
        }
        return out;
    }

    /**
     * {@code frames} timesteps evenly spread over a sampler's schedule (e.g. DDIM's 50 timesteps,
     * in the order they run), always including the first and the last (the final image).
     */
    public static List<Integer> evenlySpaced(List<Integer> schedule, int frames) {
        if (schedule.isEmpty() || frames <= 0) {
            throw new IllegalArgumentException("need a non-empty schedule and frames > 0");
        }
        int n = Math.min(frames, schedule.size());
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int idx = n == 1 ? schedule.size() - 1 : (int) Math.round(i * (schedule.size() - 1) / (double) (n - 1));
            out.add(schedule.get(idx));
        }
        return out;
    }

    /** "t=999", "t=888", ..., and "final" for t = 0. */
    public static List<String> labels(List<Integer> timesteps) {
        List<String> out = new ArrayList<>();
        for (int t : timesteps) {
            out.add(t == 0 ? "final" : "t=" + t);
        }
        return out;
    }
}
