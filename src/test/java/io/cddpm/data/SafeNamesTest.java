package io.cddpm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.InvalidInputException;
import io.cddpm.render.DatasetRenderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 12, point 1: names from a spec never reach files outside the folder they belong to. */
class SafeNamesTest {
    @TempDir
    Path dir;

    private static String error(Runnable r) {
        return assertThrows(InvalidInputException.class, r::run).getMessage();
    }

    private static LabeledImage image(String name) {
        return new LabeledImage(name, List.of("red cube"), new int[] {Labels.builtin().indexOf("red cube")});
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../../escape.png", "..", "a/../../b.png", "/tmp/abs.png", "a\\b.png", "..\\x.png",
        "a\u0000b.png", "a//b.png", "a/", "./a.png", "C:x.png"})
    void unsafeNamesAreRefusedByName(String name) {
        String m = error(() -> SafeNames.check(name, "train.json: entry"));
        assertTrue(m.contains("train.json: entry '" + name.replace("\0", "\\0") + "'") && m.contains("unsafe file name"), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.png", "CLEVR_train_001032_0.png", "sub/a.png", "a/b/c.png", "a..b.png"})
    void plainNamesAndSubFoldersPass(String name) {
        assertEquals(name, SafeNames.check(name, "w"));
        assertEquals(dir.resolve(name), SafeNames.resolve(dir, name, "w"));
    }

    @Test
    void specKeysAreCheckedWhenTheSpecIsRead() throws IOException {
        Path spec = Files.writeString(dir.resolve("train.json"), "{\"ok.png\": [\"red cube\"], \"../../escape.png\": [\"red cube\"]}");
        String m = error(() -> TrainSpec.load(spec, Labels.builtin()));
        assertTrue(m.contains("train.json") && m.contains("'../../escape.png'") && m.contains("unsafe file name"), m);
        Path abs = Files.writeString(dir.resolve("abs.json"), "{\"" + dir.resolve("victim.txt") + "\": [\"red cube\"]}");
        m = error(() -> TrainSpec.load(abs, Labels.builtin()));
        assertTrue(m.contains("abs.json") && m.contains("absolute path"), m);
    }

    @Test
    void theRendererWritesNothingOutsideOut() throws IOException {
        Path out = dir.resolve("a").resolve("b").resolve("out");
        Path victim = dir.resolve("victim.png");
        Files.writeString(victim, "precious");
        // a spec built in code skips TrainSpec's parser; the renderer checks again before writing
        TrainSpec spec = new TrainSpec(List.of(image("fine.png"), image("../../../../victim.png")), Labels.builtin(), "hostile.json");
        String m = error(() -> new DatasetRenderer(16, 0, 1).renderSpec(spec, out, n -> {}));
        assertTrue(m.contains("hostile.json") && m.contains("'../../../../victim.png'"), m);
        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.exists(out), "nothing is written when a name is refused");
    }

    @Test
    void imageFolderNamesAreChecked() {
        String m = error(() -> new DatasetRoot(dir, "../elsewhere"));
        assertTrue(m.contains("image folder '../elsewhere'") && m.contains("unsafe"), m);
        m = error(() -> new DatasetRoot(dir, "/etc"));
        assertTrue(m.contains("image folder '/etc'"), m);
    }

    @Test
    void readingARootNeverLeavesIt() throws IOException {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("iclevr"));
        Files.writeString(dir.resolve("secret.png"), "outside");
        Files.writeString(root.resolve("train.json"), "{\"../../secret.png\": [\"red cube\"]}");
        String m = error(() -> DatasetRoot.of(root).validate());
        assertTrue(m.contains("'../../secret.png'") && m.contains("unsafe file name"), m);
        m = error(() -> DatasetRoot.of(root).image("../../secret.png"));
        assertTrue(m.contains("'../../secret.png'"), m);
    }

    @Test
    void renderedSubFoldersWorkAndLeaveNoTemporaryFiles() throws IOException {
        TrainSpec spec = new TrainSpec(List.of(image("sub/one.png"), image("two.png")), Labels.builtin(), "t.json");
        Path out = dir.resolve("ds");
        new DatasetRenderer(16, 0, 2).renderSpec(spec, out, n -> {});
        assertTrue(Files.size(out.resolve("iclevr/sub/one.png")) > 0);
        assertEquals(2, DatasetRoot.of(out).validate().size());
        try (Stream<Path> files = Files.walk(out.resolve("iclevr"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }
}
