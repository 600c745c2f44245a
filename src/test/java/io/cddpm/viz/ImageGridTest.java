package io.cddpm.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Engines;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir
    Path dir;

    static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    static List<BufferedImage> numbered(int n, int w, int h) {
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(solid(w, h, (i + 1) << 16 | 0x00_80_40));
        }
        return out;
    }

    @Test
    void byteConversionMatchesTorchvisionSaveImage() {
        assertEquals(0, Images.toByte(-1f));
        assertEquals(255, Images.toByte(1f));
        assertEquals(128, Images.toByte(0f)); // 127.5 + 0.5 = 128
        assertEquals(0, Images.toByte(-3f));
        assertEquals(255, Images.toByte(7f));
        assertEquals(191, Images.toByte(0.5f)); // 0.75 * 255 + 0.5 = 191.75
    }

    @Test
    void thirtyTwoImagesMakeAnEightByFourGridWithTorchvisionGeometry() {
        int w = 64;
        int h = 64;
        BufferedImage grid = ImageGrid.of(numbered(32, w, h));
        assertEquals(8 * (w + 2) + 2, grid.getWidth());
        assertEquals(4 * (h + 2) + 2, grid.getHeight());
        assertEquals(530, grid.getWidth());
        assertEquals(266, grid.getHeight());
        // padding is black: corners, the gap between tiles, the last row and column
        assertEquals(0, grid.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0, grid.getRGB(1, 1) & 0xFFFFFF);
        assertEquals(0, grid.getRGB(66, 30) & 0xFFFFFF);
        assertEquals(0, grid.getRGB(67, 30) & 0xFFFFFF);
        assertEquals(0, grid.getRGB(grid.getWidth() - 1, grid.getHeight() - 1) & 0xFFFFFF);
        // tile i at ((i % 8) * 66 + 2, (i / 8) * 66 + 2)
        for (int i = 0; i < 32; i++) {
            int x0 = (i % 8) * (w + 2) + 2;
            int y0 = (i / 8) * (h + 2) + 2;
            int expected = (i + 1) << 16 | 0x00_80_40;
            assertEquals(expected, grid.getRGB(x0, y0) & 0xFFFFFF, "tile " + i);
            assertEquals(expected, grid.getRGB(x0 + w - 1, y0 + h - 1) & 0xFFFFFF, "tile " + i);
        }
    }

    @Test
    void fewerImagesThanARowMakeOneShortRow() {
        BufferedImage grid = ImageGrid.of(numbered(3, 10, 6));
        assertEquals(3 * 12 + 2, grid.getWidth());
        assertEquals(6 + 4, grid.getHeight());
        BufferedImage nine = ImageGrid.of(numbered(9, 10, 6));
        assertEquals(8 * 12 + 2, nine.getWidth());
        assertEquals(2 * 8 + 2, nine.getHeight());
        assertEquals(0, nine.getRGB(20, 12) & 0xFFFFFF); // second tile of the unfilled last row is padding
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(List.of(solid(4, 4, 0), solid(5, 4, 0))));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(List.<BufferedImage>of()));
    }

    @Test
    void tensorInMinusOneToOneBecomesTheGrid() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            // image i: red = -1 + 2i/31, green = 1 everywhere, blue = -1; one white pixel at (y=1, x=2) in image 5
            float[] data = new float[32 * 3 * 8 * 8];
            int plane = 64;
            for (int i = 0; i < 32; i++) {
                for (int p = 0; p < plane; p++) {
                    data[i * 3 * plane + p] = -1f + 2f * i / 31f;
                    data[i * 3 * plane + plane + p] = 1f;
                    data[i * 3 * plane + 2 * plane + p] = -1f;
                }
            }
            int base = 5 * 3 * plane + 1 * 8 + 2;
            data[base] = 1f;
            data[base + 2 * plane] = 1f;
            NDArray images = m.create(data, new Shape(32, 3, 8, 8));
            BufferedImage grid = ImageGrid.of(Images.fromTensor(images));
            assertEquals(8 * 10 + 2, grid.getWidth());
            assertEquals(4 * 10 + 2, grid.getHeight());
            assertEquals(0x00FF00, grid.getRGB(2, 2) & 0xFFFFFF); // image 0: red -1 -> 0
            assertEquals(0xFFFF00, grid.getRGB(7 * 10 + 2, 3 * 10 + 2) & 0xFFFFFF); // image 31: red 1 -> 255
            assertEquals(0xFFFFFF, grid.getRGB(5 * 10 + 2 + 2, 2 + 1) & 0xFFFFFF); // the white pixel
            int red16 = Images.toByte(-1f + 2f * 16 / 31f);
            assertEquals(red16 << 16 | 0x00FF00, grid.getRGB(2 + 3, 2 * 10 + 2 + 4) & 0xFFFFFF); // image 16, row 2
            Path png = dir.resolve("grid_test.png");
            Images.writePng(grid, png);
            BufferedImage back = Images.read(png);
            assertEquals(grid.getWidth(), back.getWidth());
            assertEquals(grid.getRGB(55, 3), back.getRGB(55, 3));
        }
    }

    @Test
    void progressiveStripGeometryAndLabels() {
        List<Integer> ts = ProgressiveStrip.ddpmTimesteps(1000, 111);
        assertEquals(List.of(999, 888, 777, 666, 555, 444, 333, 222, 111, 0), ts);
        assertEquals(List.of(9, 4, 0), ProgressiveStrip.ddpmTimesteps(10, 5)); // 9, 4, then the final step 0
        List<Integer> ddim = new ArrayList<>();
        for (int t = 980; t >= 0; t -= 20) {
            ddim.add(t);
        }
        List<Integer> picked = ProgressiveStrip.evenlySpaced(ddim, 10);
        assertEquals(10, picked.size());
        assertEquals(980, picked.get(0));
        assertEquals(0, picked.get(9));
        assertEquals(List.of("t=999", "t=888", "final"), ProgressiveStrip.labels(List.of(999, 888, 0)));

        List<BufferedImage> frames = numbered(10, 64, 64);
        BufferedImage strip = ProgressiveStrip.of(frames, ProgressiveStrip.labels(ts), List.of("red cube", "blue sphere"));
        assertEquals(2 * 64, frames.get(0).getWidth() * LabelledGrid.scaleFor(64), "64-pixel frames are doubled");
        assertTrue(strip.getWidth() >= 10 * 128, strip.getWidth() + " px for 10 frames of 128");
        assertThrows(IllegalArgumentException.class, () -> ProgressiveStrip.of(frames, List.of("a"), List.of()));
    }

    @Test
    void customPadColour() {
        BufferedImage g = ImageGrid.of(numbered(2, 4, 4), 8, 3, Color.WHITE);
        assertEquals(2 * 7 + 3, g.getWidth());
        assertEquals(0xFFFFFF, g.getRGB(0, 0) & 0xFFFFFF);
    }
}
