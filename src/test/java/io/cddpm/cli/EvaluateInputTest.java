package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, point 10(b, c) through the command line: images that do not fit the conditions exit 2 before any model loads. */
class EvaluateInputTest {
    @TempDir
    Path dir;

    @Test
    void moreImagesThanConditionsAreRefused() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("samples"));
        for (int i = 0; i < 33; i++) {
            ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", folder.resolve(String.format("%03d.png", i)).toFile());
        }
        Cli r = Cli.run("evaluate", "--images", folder.toString(), "--conditions", "test", "--evaluator", dir.resolve("none.pth").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains(folder + ": 1 images beyond the 32 conditions (e.g. 032.png)"), r.err());
    }

    @Test
    void aFileThatIsNotAnNpzIsRefusedByName() throws IOException {
        Path npz = Files.writeString(dir.resolve("images.npz"), "hello");
        Cli r = Cli.run("evaluate", "--images", npz.toString(), "--conditions", "test", "--evaluator", dir.resolve("none.pth").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains(npz + ": not an .npz archive"), r.err());
    }
}
