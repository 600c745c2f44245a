package io.cddpm.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.data.ConditionFile;
import io.cddpm.data.DatasetRoot;
import io.cddpm.data.LabeledImage;
import io.cddpm.data.Labels;
import io.cddpm.data.TrainSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RendererTest {
    private static final Camera CAMERA = new Camera(7.358, -6.925, 4.958, 0, 0, 0);

    /** A single object's colour lands at its projected centre. */
    @ParameterizedTest
    @CsvSource({"9, RUBBER, 1", "2, RUBBER, 2", "19, METAL, 3", "23, RUBBER, 7"})
    void objectColourAtItsProjectedCentre(int label, Material material, int color) {
        SceneObject o = new SceneObject(label, material, 0.7, 0.5, -0.5, 0.3);
        Scene scene = new Scene(List.of(o), CAMERA, Camera.normalize(-0.4, -0.9, 1.25), 1);
        int size = 64;
        BufferedImage image = new RayTracer(3).render(scene, size);
        double[] p = CAMERA.project(o.x(), o.y(), o.centreZ());
        int px = (int) ((p[0] + 1) / 2 * size);
        int py = (int) ((1 - p[1]) / 2 * size);
        int rgb = image.getRGB(px, py);
        int[] got = {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
        assertEquals(color, nearestColour(got), "pixel " + Arrays.toString(got) + " at the centre of colour " + color);
    }

    /** The palette colour whose chromaticity (rgb / max channel) is nearest the pixel's. */
    static int nearestColour(int[] rgb) {
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int c = 0; c < 8; c++) {
            int[] p = Palette.srgb(c);
            double d = 0;
            for (int i = 0; i < 3; i++) {
                double a = rgb[i] / (double) Math.max(1, Math.max(rgb[0], Math.max(rgb[1], rgb[2])));
                double b = p[i] / (double) Math.max(p[0], Math.max(p[1], p[2]));
                d += (a - b) * (a - b);
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    @Test
    void plannedObjectsAreAllClearlyVisibleAt64() {
        ScenePlanner planner = new ScenePlanner(64);
        RayTracer tracer = new RayTracer(1);
        for (int s = 0; s < 40; s++) {
            SplittableRandom random = new SplittableRandom(s);
            Scene scene = planner.emptyScene(random);
            for (int label : new int[] {s % 24, (s + 5) % 24, (s + 11) % 24}) {
                scene = planner.add(scene, label, random);
                assertNotNull(scene, "placement failed for seed " + s);
            }
            int[][] counts = tracer.visibility(scene, 64);
            for (int k = 0; k < 3; k++) {
                assertTrue(counts[0][k] >= ScenePlanner.MIN_VISIBLE_PIXELS, "object " + k + " of seed " + s + " shows " + counts[0][k] + " px");
                assertTrue(counts[0][k] >= ScenePlanner.MIN_VISIBLE_FRACTION * counts[1][k], "object " + k + " of seed " + s + " mostly hidden");
            }
        }
    }

    @Test
    void sameSeedSameBytesWhateverTheThreadCountAndNamesAndLabelsFollowTheSpec(@TempDir Path dir) throws IOException {
        TrainSpec spec = TrainSpec.builtin().limit(30);
        new DatasetRenderer(32, 7, 1).renderSpec(spec, dir.resolve("a"), n -> {});
        new DatasetRenderer(32, 7, 2).renderSpec(spec, dir.resolve("b"), n -> {});
        TrainSpec written = DatasetRoot.of(dir.resolve("a")).validate();
        assertEquals(spec.size(), written.size());
        for (int i = 0; i < spec.size(); i++) {
            LabeledImage want = spec.entries().get(i);
            LabeledImage got = written.entries().get(i);
            assertEquals(want.fileName(), got.fileName());
            assertEquals(want.labels(), got.labels());
            byte[] a = Files.readAllBytes(dir.resolve("a/iclevr").resolve(want.fileName()));
            byte[] b = Files.readAllBytes(dir.resolve("b/iclevr").resolve(want.fileName()));
            assertArrayEquals(a, b, want.fileName() + " differs between 1 and 2 threads");
        }
        assertTrue(Files.isRegularFile(dir.resolve("a/test.json")) && Files.isRegularFile(dir.resolve("a/new_test.json")));
        // another seed gives other pictures
        new DatasetRenderer(32, 8, 2).renderSpec(spec.limit(1), dir.resolve("c"), n -> {});
        String first = spec.entries().get(0).fileName();
        assertTrue(!Arrays.equals(Files.readAllBytes(dir.resolve("a/iclevr").resolve(first)),
                Files.readAllBytes(dir.resolve("c/iclevr").resolve(first))));
    }

    @Test
    void scenesAddObjectsOneAtATimeAndEarlierOnesStay() {
        DatasetRenderer renderer = new DatasetRenderer(64, 0, 1);
        Labels labels = Labels.builtin();
        int[] a = labels.indices(List.of("cyan cylinder"), "t");
        int[] b = labels.indices(List.of("cyan cylinder", "green sphere"), "t");
        int[] c = labels.indices(List.of("cyan cylinder", "green sphere", "cyan cube"), "t");
        List<Scene> scenes = renderer.planGroup("CLEVR_train_000000", List.of(a, b, c));
        assertEquals(3, scenes.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, scenes.get(i).objects().size());
            assertEquals(scenes.get(0).objects().get(0), scenes.get(i).objects().get(0));
        }
        assertEquals(scenes.get(1).objects().get(1), scenes.get(2).objects().get(1));
    }

    @Test
    void conditionsModeWritesItsLabels(@TempDir Path dir) {
        Labels labels = Labels.builtin();
        var conditions = ConditionFile.builtin("test", labels);
        new DatasetRenderer(32, 1, 2).renderConditions(conditions, 40, dir, n -> {});
        TrainSpec written = DatasetRoot.of(dir).validate();
        assertEquals(40, written.size());
        assertEquals(conditions.conditions().get(3), written.entries().get(35).labels());
        assertEquals("cond_000035.png", written.entries().get(35).fileName());
    }
}
