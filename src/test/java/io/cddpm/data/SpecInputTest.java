package io.cddpm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.InvalidInputException;
import io.cddpm.render.DatasetRenderer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, point 10(c): specs the rest of cddpm would misread are refused by name. */
class SpecInputTest {
    @TempDir
    Path dir;

    private static String error(Runnable r) {
        return assertThrows(InvalidInputException.class, r::run).getMessage();
    }

    @Test
    void fourLabelsInOneImageAreRefused() throws IOException {
        Path f = Files.writeString(dir.resolve("train.json"),
                "{\"a.png\": [\"red cube\"], \"b.png\": [\"red cube\", \"blue cube\", \"gray cube\", \"cyan cube\"]}");
        String m = error(() -> TrainSpec.load(f, Labels.builtin()));
        assertTrue(m.contains("train.json") && m.contains("'b.png'") && m.contains("4 labels") && m.contains("1 to 3"), m);
        Path c = Files.writeString(dir.resolve("cond.json"), "[[\"red cube\", \"blue cube\", \"gray cube\", \"cyan cube\"]]");
        m = error(() -> ConditionFile.load(c, Labels.builtin()));
        assertTrue(m.contains("cond.json: entry 0") && m.contains("4 labels"), m);
    }

    @Test
    void duplicateKeysAreRefused() throws IOException {
        Path f = Files.writeString(dir.resolve("dup.json"), "{\"a.png\": [\"red cube\"],\n \"a.png\": [\"blue cube\"]}");
        String m = error(() -> TrainSpec.load(f, Labels.builtin()));
        assertTrue(m.contains("dup.json") && m.contains("Duplicate field 'a.png'") && m.contains("line 2"), m);
        Path o = Files.writeString(dir.resolve("objects.json"), "{\"red cube\": 0, \"red cube\": 1}");
        m = error(() -> Labels.load(o));
        assertTrue(m.contains("objects.json") && m.contains("Duplicate field 'red cube'"), m);
    }

    @Test
    void theRendererRefusesLabelsItCannotDraw() throws IOException {
        Path objects = Files.writeString(dir.resolve("objects.json"), "{\"red cube\": 0, \"pink cube\": 1}");
        Labels labels = Labels.load(objects);
        Path spec = Files.writeString(dir.resolve("train.json"), "{\"a.png\": [\"red cube\"]}");
        TrainSpec train = TrainSpec.load(spec, labels);
        String m = error(() -> new DatasetRenderer(16, 0, 1).renderSpec(train, dir.resolve("out"), n -> {}));
        assertTrue(m.contains("objects.json") && m.contains("label 'pink cube' (index 1) cannot be rendered"), m);
    }

    @Test
    void aReorderedVocabularyIsDrawnByName() throws IOException {
        // index 0 is "yellow sphere" here; it used to be drawn as index 0 of the built-in set, a gray cube
        Path objects = Files.writeString(dir.resolve("objects.json"), "{\"yellow sphere\": 0, \"gray cube\": 1}");
        Labels custom = Labels.load(objects);
        Path spec = Files.writeString(dir.resolve("train.json"), "{\"a.png\": [\"yellow sphere\"]}");
        Path out = dir.resolve("out");
        new DatasetRenderer(16, 3, 1).renderSpec(TrainSpec.load(spec, custom), out, n -> {});
        BufferedImage drawn = ImageIO.read(out.resolve("iclevr/a.png").toFile());
        BufferedImage expected = new DatasetRenderer(16, 3, 1).renderOne("a.png",
                new int[] {Labels.builtin().indexOf("yellow sphere")});
        assertArrayEquals(expected.getRGB(0, 0, 16, 16, null, 0, 16), drawn.getRGB(0, 0, 16, 16, null, 0, 16));
    }
}
