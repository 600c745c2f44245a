package io.cddpm.viz;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A folder of generated images: 000.png ..., images.npz (key "images", float32 NCHW in [-1, 1]) and grid.png. */
public final class SampleFiles {
    private SampleFiles() {}

    public static void write(NDArray images, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<BufferedImage> pngs = Images.fromTensor(images);
        for (int i = 0; i < pngs.size(); i++) {
            Images.writePng(pngs.get(i), dir.resolve(String.format("%03d.png", i)));
        }
        Images.writePng(ImageGrid.of(pngs), dir.resolve("grid.png"));
        NDArray named = images.duplicate();
        named.setName("images");
        try (OutputStream os = Files.newOutputStream(dir.resolve("images.npz"))) {
            new NDList(named).encode(os, NDList.Encoding.NPZ);
        }
    }
}
