package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The artifact names of a stepped image as MLflow's log_image writes them and the 2.17 UI parses them. */
class ImageArtifactsTest {
    @Test
    void namesFollowLogImage() {
        String base = ImageArtifacts.base("grid_test", 17, 1733150000123L, "0b4c");
        // '+', not '%': MLflow 2.17's artifact proxy decodes '%17...' into a control byte
        assertEquals("images/grid_test+step+17+timestamp+1733150000123+0b4c", base);
        assertEquals(base + ".png", ImageArtifacts.full(base));
        assertEquals(base + "+compressed.png", ImageArtifacts.compressed(base));
    }

    @Test
    void keysMlflowRefusesAreRefused() {
        assertEquals("grid new_test-1.0", ImageArtifacts.checkKey("grid new_test-1.0"));
        assertThrows(IllegalArgumentException.class, () -> ImageArtifacts.checkKey("grid%test"));
        assertThrows(IllegalArgumentException.class, () -> ImageArtifacts.checkKey("grid:test"));
        assertThrows(IllegalArgumentException.class, () -> ImageArtifacts.checkKey("a/b"), "the 2.17 proxy refuses the '#' MLflow puts for '/'");
        assertThrows(IllegalArgumentException.class, () -> ImageArtifacts.checkKey("a+b"));
    }

    @Test
    void thumbnailFitsIn256KeepingTheAspect(@TempDir Path dir) throws Exception {
        Path wide = dir.resolve("wide.png");
        ImageIO.write(new BufferedImage(1000, 250, BufferedImage.TYPE_INT_RGB), "png", wide.toFile());
        Path out = dir.resolve("thumb.png");
        ImageArtifacts.writeThumbnail(wide, out);
        BufferedImage t = ImageIO.read(out.toFile());
        assertEquals(256, t.getWidth());
        assertEquals(64, t.getHeight());
        Path small = dir.resolve("small.png");
        ImageIO.write(new BufferedImage(18, 36, BufferedImage.TYPE_INT_RGB), "png", small.toFile());
        ImageArtifacts.writeThumbnail(small, out);
        t = ImageIO.read(out.toFile());
        assertEquals(128, t.getWidth(), "MLflow scales small images up too");
        assertEquals(256, t.getHeight());
    }
}
