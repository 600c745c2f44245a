package io.cddpm.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, points 10(d) and 12: an empty or binary experiment file is an input error that says why. */
class ConfigInputTest {
    @TempDir
    Path dir;

    private static String error(Path file) {
        return assertThrows(InvalidInputException.class, () -> ConfigLoader.load(file, List.of())).getMessage();
    }

    @Test
    void anEmptyExperimentFileIsRefused() throws IOException {
        for (String text : List.of("", "\n\n", "# only a comment\n")) {
            Path f = Files.writeString(dir.resolve("empty.yaml"), text);
            String m = error(f);
            assertTrue(m.contains(f.toString()) && m.contains("empty experiment file"), m);
        }
    }

    @Test
    void aBinaryFileSaysWhy() throws IOException {
        Path zip = Files.write(dir.resolve("model.ckpt"), new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, (byte) 0xc3, (byte) 0x28, 1});
        String m = error(zip);
        assertTrue(m.contains("model.ckpt") && m.contains("not a YAML text file") && m.contains("not UTF-8"), m);
        Path png = Files.write(dir.resolve("x.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        m = error(png);
        assertTrue(m.contains("x.png") && m.contains("byte 0 (0x89)"), m);
        Path nul = Files.write(dir.resolve("nul.yaml"), new byte[] {'n', 'a', 'm', 'e', ':', ' ', 'x', 0, '\n'});
        m = error(nul);
        assertTrue(m.contains("nul.yaml") && m.contains("NUL"), m);
    }
}
