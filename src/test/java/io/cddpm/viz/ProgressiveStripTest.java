package io.cddpm.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 31, item 3: the progressive strip's step labels never run into each other, even under 16-pixel frames. */
class ProgressiveStripTest {
    private static final List<String> LABELS = ProgressiveStrip.labels(List.of(980, 860, 740, 620, 500, 380, 260, 140, 20, 0));

    /** The x ranges of ink in rows y0..y1, merging ranges closer than {@code join} pixels (the gaps inside a word). */
    static List<int[]> inkRuns(BufferedImage img, int y0, int y1, int join) {
        List<int[]> runs = new ArrayList<>();
        for (int x = 0; x < img.getWidth(); x++) {
            boolean ink = false;
            for (int y = y0; y < y1 && !ink; y++) {
                ink = (img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF;
            }
            if (ink) {
                if (!runs.isEmpty() && x - runs.get(runs.size() - 1)[1] <= join) {
                    runs.get(runs.size() - 1)[1] = x;
                } else {
                    runs.add(new int[] {x, x});
                }
            }
        }
        return runs;
    }

    /** The labels in the strip's bottom band are as many separate runs of text, at least 6 px apart. */
    private static void assertLabelsApart(BufferedImage strip) {
        List<int[]> runs = inkRuns(strip, strip.getHeight() - 20, strip.getHeight(), 4);
        assertEquals(LABELS.size(), runs.size(), "one separate run of text per label");
        for (int i = 1; i < runs.size(); i++) {
            assertTrue(runs.get(i)[0] - runs.get(i - 1)[1] >= 6, "labels " + (i - 1) + " and " + i + " are at least 6 px apart");
        }
    }

    @Test
    void labelsUnderUnenlarged16PixelFramesTakeTheirOwnWidth() {
        List<BufferedImage> frames = LabelledGridTest.patterns(10, 16);
        BufferedImage strip = ProgressiveStrip.of(frames, LABELS, List.of(), 1);
        assertTrue(strip.getWidth() > 10 * 16 * 2, "columns sized by the labels, not the 16-pixel frames: " + strip.getWidth());
        assertLabelsApart(strip);
    }

    @Test
    void sixteenPixelFramesAreEnlargedAndTitledWithTheCondition() {
        List<BufferedImage> frames = LabelledGridTest.patterns(10, 16);
        BufferedImage strip = ProgressiveStrip.of(frames, LABELS, List.of("red cube", "blue sphere"));
        assertTrue(strip.getWidth() >= 10 * 96, strip.getWidth() + " px");
        assertLabelsApart(strip);
        assertTrue(LabelledGridTest.ink(strip, 0, 0, 200, 18), "the condition as a title");
        // every frame appears enlarged 6 times: frame 9's pixel (15, 15) is a 6 x 6 block
        boolean found = false;
        int target = frames.get(9).getRGB(15, 15);
        for (int y = 0; y + 5 < strip.getHeight() && !found; y++) {
            for (int x = 0; x + 5 < strip.getWidth() && !found; x++) {
                found = strip.getRGB(x, y) == target && strip.getRGB(x + 5, y + 5) == target;
            }
        }
        assertTrue(found, "frame 9 enlarged");
    }
}
