package io.cddpm.viz;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Progressive generation: the intermediate images of one sampling run left to right, ending with
 * the final image, as one picture (a one-row {@link ImageGrid}), optionally with a label under each
 * frame (e.g. "t=999").
 */
public final class ProgressiveStrip {
    private ProgressiveStrip() {}

    /** The frames in one row with 2-pixel black padding, no labels. */
    public static BufferedImage of(List<BufferedImage> frames) {
        return ImageGrid.of(frames, frames.size(), ImageGrid.PADDING, Color.BLACK);
    }

    /** The frames in one row with a label centred under each (labels.size() == frames.size()). */
    public static BufferedImage of(List<BufferedImage> frames, List<String> labels) {
        if (labels.size() != frames.size()) {
            throw new IllegalArgumentException(frames.size() + " frames but " + labels.size() + " labels");
        }
        BufferedImage row = of(frames);
        int w = frames.get(0).getWidth();
        int fontSize = Math.max(10, Math.min(18, w / 6));
        int band = fontSize + 8;
        BufferedImage out = new BufferedImage(row.getWidth(), row.getHeight() + band, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.drawImage(row, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, fontSize));
            g.setColor(Color.WHITE);
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < labels.size(); i++) {
                int left = i * (w + ImageGrid.PADDING) + ImageGrid.PADDING;
                int x = left + (w - fm.stringWidth(labels.get(i))) / 2;
                g.drawString(labels.get(i), x, row.getHeight() + (band + fm.getAscent() - fm.getDescent()) / 2);
            }
        } finally {
            g.dispose();
        }
        return out;
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
