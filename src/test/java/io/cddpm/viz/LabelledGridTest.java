package io.cddpm.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.data.ConditionFile;
import io.cddpm.data.Labels;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 31, item 3: pictures that say what each sample was asked for, large enough to read. */
class LabelledGridTest {
    private static final int WHITE = 0xFFFFFF;

    /** An image whose pixel (x, y) has a color of its own, so enlargement can be checked pixel by pixel. */
    static BufferedImage pattern(int size, int seed) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, (seed * 40 % 256) << 16 | (x * 8 % 256) << 8 | (y * 8 % 256));
            }
        }
        return img;
    }

    static List<BufferedImage> patterns(int n, int size) {
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pattern(size, i));
        }
        return out;
    }

    /** Whether any pixel of the rectangle differs from the background (white or the caption's light gray). */
    static boolean ink(BufferedImage img, int x0, int y0, int x1, int y1) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                if (rgb != WHITE && rgb != 0xF2F2F2) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void smallSamplesAreEnlargedToAtLeast96PixelsByWholeFactors() {
        assertEquals(6, LabelledGrid.scaleFor(16));
        assertEquals(3, LabelledGrid.scaleFor(32));
        assertEquals(2, LabelledGrid.scaleFor(64));
        assertEquals(1, LabelledGrid.scaleFor(96));
        assertEquals(1, LabelledGrid.scaleFor(128));
        for (int w : new int[] {8, 16, 24, 32, 48, 64, 95}) {
            assertTrue(w * LabelledGrid.scaleFor(w) >= LabelledGrid.MIN_TILE, w + " px");
        }
        BufferedImage small = pattern(16, 3);
        BufferedImage big = LabelledGrid.enlarge(small, 6);
        assertEquals(96, big.getWidth());
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                assertEquals(small.getRGB(x / 6, y / 6), big.getRGB(x, y), "nearest neighbour at " + x + "," + y);
            }
        }
    }

    @Test
    void theTestFilesGridHasEverySampleEnlargedWithItsCaptionUnderIt() {
        ConditionFile test = ConditionFile.builtin("test", Labels.builtin());
        List<BufferedImage> images = patterns(32, 16);
        BufferedImage grid = LabelledGrid.of(images, test.conditions());
        int tile = 96;
        int pad = LabelledGrid.PADDING;
        assertEquals(8 * (tile + pad) + pad, grid.getWidth());
        int rowHeight = (grid.getHeight() - pad) / 4;
        int caption = rowHeight - pad - tile;
        assertEquals(4 * rowHeight + pad, grid.getHeight());
        // three lines of at least 9-pixel text (test.json has scenes of three objects)
        assertTrue(caption >= 3 * 11, "caption strip " + caption + " px");
        for (int i = 0; i < 32; i++) {
            int x0 = pad + (i % 8) * (tile + pad);
            int y0 = pad + (i / 8) * rowHeight;
            assertEquals(images.get(i).getRGB(5, 7), grid.getRGB(x0 + 5 * 6 + 2, y0 + 7 * 6 + 3), "sample " + i + " enlarged in place");
            int lines = test.conditions().get(i).size();
            int lineHeight = (caption - 6) / 3;
            for (int k = 0; k < 3; k++) {
                int ly = y0 + tile + 3 + k * lineHeight;
                assertEquals(k < lines, ink(grid, x0, ly, x0 + tile, ly + lineHeight), "sample " + i + " caption line " + k);
            }
        }
    }

    @Test
    void captionsFitUnderTheirSampleAndLongLabelsAreCut() {
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = LabelledGrid.graphics(probe);
        FontMetrics fm = g.getFontMetrics(LabelledGrid.font(10));
        for (String label : Labels.builtin().names()) {
            assertTrue(LabelledGrid.lineWidth(fm, label) <= LabelledGrid.MIN_TILE - 6, label + " fits a 96-pixel caption at 10 px");
        }
        String cut = LabelledGrid.fitted(fm, "an unusually long custom label name", 60);
        assertTrue(cut.endsWith("…") && fm.stringWidth(cut) <= 60, cut);
        assertEquals("red cube", LabelledGrid.fitted(fm, "red cube", 60));
        g.dispose();
        assertThrows(IllegalArgumentException.class, () -> LabelledGrid.of(patterns(2, 16), List.of(List.of("red cube"))));
    }

    @Test
    void singlesGetALegendRowOfColorsAndColumnOfShapesInsteadOfCaptions() {
        ConditionFile singles = ConditionFile.builtin("singles", Labels.builtin());
        LegendGrid legend = LegendGrid.of(singles.conditions(), 8).orElseThrow();
        assertEquals(List.of("cube", "sphere", "cylinder"), legend.rows().stream().map(s -> s.word()).toList());
        assertEquals(List.of("gray", "red", "blue", "green", "brown", "purple", "cyan", "yellow"),
                legend.columns().stream().map(c -> c.colorName()).toList());

        List<BufferedImage> images = patterns(24, 32);
        BufferedImage grid = LabelledGrid.of(images, singles.conditions());
        int tile = 96;
        int pad = LabelledGrid.PADDING;
        int table = 8 * (tile + pad) + pad;
        int left = grid.getWidth() - table;
        int top = grid.getHeight() - (3 * (tile + pad) + pad);
        assertTrue(left >= 40, "a legend column of shape names: " + left + " px");
        assertTrue(top >= 15, "a legend row of color names: " + top + " px");
        for (int i = 0; i < 24; i++) {
            int x0 = left + pad + (i % 8) * (tile + pad);
            int y0 = top + pad + (i / 8) * (tile + pad);
            assertEquals(images.get(i).getRGB(10, 20), grid.getRGB(x0 + 10 * 3, y0 + 20 * 3), "sample " + i);
        }
        for (int c = 0; c < 8; c++) {
            int x0 = left + pad + c * (tile + pad);
            assertTrue(ink(grid, x0, 0, x0 + tile, top), "color name over column " + c);
        }
        for (int r = 0; r < 3; r++) {
            int y0 = top + pad + r * (tile + pad);
            assertTrue(ink(grid, 0, y0, left, y0 + tile), "shape name left of row " + r);
        }
    }

    @Test
    void conditionsThatAreNotAShapeByColorTableGetCaptions() {
        List<List<String>> singles = ConditionFile.builtin("singles", Labels.builtin()).conditions();
        List<List<String>> shuffled = new ArrayList<>(singles);
        shuffled.set(0, singles.get(1));
        shuffled.set(1, singles.get(0));
        assertFalse(LegendGrid.of(shuffled, 8).isPresent(), "a column with two colors");
        assertFalse(LegendGrid.of(singles.subList(0, 20), 8).isPresent(), "a short last row");
        assertFalse(LegendGrid.of(List.of(List.of("red cube", "blue sphere")), 1).isPresent(), "two objects");
        assertFalse(LegendGrid.of(List.of(List.of("pink cube")), 1).isPresent(), "not an i-CLEVR object");
        assertTrue(LegendGrid.of(singles.subList(0, 8), 8).isPresent(), "the cubes alone are a table of one row");
    }
}
