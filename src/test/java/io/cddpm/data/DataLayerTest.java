package io.cddpm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.render.DatasetRenderer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLayerTest {
    @TempDir
    Path dir;

    private String error(Runnable r) {
        return assertThrows(InvalidInputException.class, r::run).getMessage();
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void officialSpecificationLoads() {
        Labels labels = Labels.builtin();
        assertEquals(24, labels.size());
        assertEquals(8 * 1 + 1, labels.indexOf("red sphere"));
        assertEquals(8 * 2 + 7, labels.indexOf("yellow cylinder"));
        assertEquals(18009, TrainSpec.builtin().size());
        assertEquals(32, ConditionFile.builtin("test", labels).size());
        assertEquals(32, ConditionFile.builtin("new_test", labels).size());
        float[] hot = labels.multiHot(labels.indices(List.of("gray cube", "red sphere"), "t"));
        assertEquals(2f, hot[0] + hot[9]);
    }

    @Test
    void singlesAreEveryLabelAloneInIndexOrder() {
        Labels labels = Labels.builtin();
        ConditionFile singles = ConditionFile.resolve("singles", labels);
        assertEquals("singles", singles.name());
        assertEquals(24, singles.size());
        assertEquals(List.of("gray cube"), singles.conditions().get(0));
        assertEquals(List.of("red sphere"), singles.conditions().get(9));
        assertArrayEquals(new int[] {23}, singles.indices().get(23));
        float[][] hot = singles.multiHot();
        assertEquals(1f, hot[9][9]);
        assertEquals(1f, sum(hot[9]));
        String m = error(() -> ConditionFile.builtin("doubles", labels));
        assertTrue(m.contains("'doubles'") && m.contains("singles"), m);
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }

    @Test
    void conditionFileErrorsNameTheFileAndEntry() throws IOException {
        Labels labels = Labels.builtin();
        Path f = write("bad1.json", "[[\"red cube\"], [\"pink cube\"]]");
        String m = error(() -> ConditionFile.load(f, labels));
        assertTrue(m.contains("bad1.json") && m.contains("entry 1") && m.contains("unknown label 'pink cube'"), m);
        Path g = write("bad2.json", "[[\"red cube\", \"red cube\"]]");
        m = error(() -> ConditionFile.load(g, labels));
        assertTrue(m.contains("bad2.json") && m.contains("entry 0") && m.contains("twice"), m);
        Path h = write("bad3.json", "[[\"red cube\"], []]");
        m = error(() -> ConditionFile.load(h, labels));
        assertTrue(m.contains("entry 1") && m.contains("empty label list"), m);
        Path k = write("bad4.json", "[[\"red cube\"], [1, 2]]");
        m = error(() -> ConditionFile.load(k, labels));
        assertTrue(m.contains("bad4.json") && m.contains("entry 1") && m.contains("list of label strings"), m);
        Path l = write("bad5.json", "[\"red cube\"]");
        m = error(() -> ConditionFile.load(l, labels));
        assertTrue(m.contains("entry 0") && m.contains("list of label strings"), m);
        Path j = write("bad6.json", "[[\"red cube\"");
        m = error(() -> ConditionFile.load(j, labels));
        assertTrue(m.contains("bad6.json") && m.contains("not valid JSON"), m);
    }

    @Test
    void objectsJsonErrors() throws IOException {
        Path dup = write("o1.json", "{\"a\": 0, \"b\": 0}");
        String m = error(() -> Labels.load(dup));
        assertTrue(m.contains("o1.json") && m.contains("'a'") && m.contains("'b'") && m.contains("index 0"), m);
        Path range = write("o2.json", "{\"a\": 0, \"b\": 5}");
        m = error(() -> Labels.load(range));
        assertTrue(m.contains("o2.json") && m.contains("'b'") && m.contains("out of range"), m);
    }

    @Test
    void trainSpecErrorsNameTheImage() throws IOException {
        Path f = write("train.json", "{\"x_0.png\": [\"red cube\"], \"x_1.png\": [\"red cube\", \"blue blob\"]}");
        String m = error(() -> TrainSpec.load(f, Labels.builtin()));
        assertTrue(m.contains("train.json") && m.contains("'x_1.png'") && m.contains("unknown label 'blue blob'"), m);
    }

    @Test
    void missingAndCorruptImagesAreReported() throws IOException {
        TrainSpec spec = TrainSpec.builtin().limit(9);
        new DatasetRenderer(16, 0, 2).renderSpec(spec, dir.resolve("ds"), n -> {});
        DatasetRoot root = DatasetRoot.of(dir.resolve("ds"));
        Files.delete(root.images().resolve(spec.entries().get(2).fileName()));
        Files.delete(root.images().resolve(spec.entries().get(5).fileName()));
        String m = error(root::validate);
        assertTrue(m.contains("2 of 9") && m.contains(spec.entries().get(2).fileName()), m);

        new DatasetRenderer(16, 0, 2).renderSpec(spec, dir.resolve("ds"), n -> {});
        Files.writeString(root.images().resolve(spec.entries().get(4).fileName()), "not a png");
        m = error(() -> new DatasetCache(dir.resolve("cache")).load(root, 16, null));
        assertTrue(m.contains(spec.entries().get(4).fileName()), m);
    }

    @Test
    void resizeAveragesAndHandlesAlpha() {
        BufferedImage rgba = new BufferedImage(320, 240, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                rgba.setRGB(x, y, (x + y) % 2 == 0 ? 0xFFFFFFFF : 0xFF000000); // a checkerboard averages to gray
            }
        }
        byte[] chw = ImageResizer.toChw(rgba, 64);
        assertEquals(3 * 64 * 64, chw.length);
        for (byte b : chw) {
            assertTrue(Math.abs((b & 0xff) - 127.5) <= 2, "box filter should average the checkerboard, got " + (b & 0xff));
        }
    }

    @Test
    void cacheRoundTripAndBatchesAreSeeded() {
        TrainSpec spec = TrainSpec.builtin().limit(12);
        new DatasetRenderer(16, 0, 2).renderSpec(spec, dir.resolve("ds"), n -> {});
        DatasetRoot root = DatasetRoot.of(dir.resolve("ds"));
        DatasetCache cache = new DatasetCache(dir.resolve("cache"));
        IclevrDataset first = cache.load(root, 16, null);
        IclevrDataset second = cache.load(root, 16, null);
        assertEquals(12, second.size());
        for (int i = 0; i < 12; i++) {
            assertArrayEquals(first.image(i), second.image(i));
            assertArrayEquals(first.labels(i), second.labels(i));
        }
        assertEquals(1, first.labels(0)[Labels.builtin().indexOf(spec.entries().get(0).labels().get(0))]);

        Engines.pytorch();
        try (NDManager manager = NDManager.newBaseManager()) {
            BatchIterator a = new BatchIterator(second, 5, BatchIterator.Remainder.KEEP, 3, 1);
            BatchIterator b = new BatchIterator(second, 5, BatchIterator.Remainder.KEEP, 3, 1);
            BatchIterator c = new BatchIterator(second, 5, BatchIterator.Remainder.KEEP, 3, 2);
            assertEquals(3, a.batches());
            int[] ia = a.nextIndices();
            assertArrayEquals(ia, b.nextIndices());
            assertTrue(!Arrays.equals(ia, c.nextIndices()));
            BatchIterator.Batch batch = new BatchIterator(second, 5, BatchIterator.Remainder.DROP, 3, 1).next(manager);
            assertEquals(new Shape(5, 3, 16, 16), batch.images().getShape());
            assertTrue(batch.images().max().getFloat() <= 1f && batch.images().min().getFloat() >= -1f);
            assertEquals(new Shape(5, 24), batch.labels().getShape());
            BatchIterator drop = new BatchIterator(second, 5, BatchIterator.Remainder.DROP, 3, 1);
            assertEquals(2, drop.batches());
        }
    }

    @Test
    void horizontalFlipsMirrorAboutHalfTheImagesTheSameWayOnEveryPass() {
        TrainSpec spec = TrainSpec.builtin().limit(40);
        new DatasetRenderer(16, 0, 2).renderSpec(spec, dir.resolve("flip"), n -> {});
        IclevrDataset data = new DatasetCache(dir.resolve("cache")).load(DatasetRoot.of(dir.resolve("flip")), 16, null);
        Engines.pytorch();
        try (NDManager manager = NDManager.newBaseManager()) {
            BatchIterator plain = new BatchIterator(data, 40, BatchIterator.Remainder.KEEP, 3, 1);
            BatchIterator flipped = new BatchIterator(data, 40, BatchIterator.Remainder.KEEP, 3, 1, true);
            int[] order = new BatchIterator(data, 40, BatchIterator.Remainder.KEEP, 3, 1).nextIndices();
            BatchIterator.Batch pb = plain.next(manager);
            float[] a = pb.images().toFloatArray();
            BatchIterator.Batch fb = flipped.next(manager);
            float[] b = fb.images().toFloatArray();
            assertArrayEquals(pb.labels().toFloatArray(), fb.labels().toFloatArray(), "labels are never flipped");
            int n = 3 * 16 * 16;
            int mirrored = 0;
            for (int i = 0; i < order.length; i++) {
                float[] expected = Arrays.copyOfRange(a, i * n, (i + 1) * n);
                if (flipped.mirrored(order[i])) {
                    mirrored++;
                    BatchIterator.mirror(expected, 0, 3, 16);
                    // a mirrored scene is not the original one
                    assertTrue(!Arrays.equals(expected, Arrays.copyOfRange(a, i * n, (i + 1) * n)));
                }
                assertArrayEquals(expected, Arrays.copyOfRange(b, i * n, (i + 1) * n), "image " + order[i]);
                // pixel (c, y, x) of a mirrored image is pixel (c, y, 15 - x) of the original
                if (flipped.mirrored(order[i])) {
                    assertEquals(a[i * n + 2 * 256 + 5 * 16 + 3], b[i * n + 2 * 256 + 5 * 16 + 12]);
                }
            }
            assertTrue(mirrored >= 10 && mirrored <= 30, "about half of 40 images mirrored, got " + mirrored);
            BatchIterator again = new BatchIterator(data, 40, BatchIterator.Remainder.KEEP, 3, 1, true);
            BatchIterator nextEpoch = new BatchIterator(data, 40, BatchIterator.Remainder.KEEP, 3, 2, true);
            boolean differs = false;
            for (int i = 0; i < data.size(); i++) {
                assertEquals(flipped.mirrored(i), again.mirrored(i), "the same (seed, epoch) mirrors the same images");
                differs |= flipped.mirrored(i) != nextEpoch.mirrored(i);
                assertTrue(!plain.mirrored(i), "flips off mirrors nothing");
            }
            assertTrue(differs, "another epoch mirrors other images");
        }
    }
}
