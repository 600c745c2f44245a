package io.cddpm.viz;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.cddpm.core.AtomicFiles;
import io.cddpm.runs.SampleLayout;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a folder of generated images in the {@link SampleLayout}. */
public final class SampleFiles {
    private SampleFiles() {}

    public static void write(NDArray images, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<BufferedImage> pngs = Images.fromTensor(images);
        for (int i = 0; i < pngs.size(); i++) {
            Images.writePng(pngs.get(i), dir.resolve(SampleLayout.png(i)));
        }
        Images.writePng(ImageGrid.of(pngs), dir.resolve(SampleLayout.GRID));
        NDArray named = images.duplicate();
        named.setName(SampleLayout.ARRAY_KEY);
        AtomicFiles.write(dir.resolve(SampleLayout.ARRAY), os -> new NDList(named).encode(os, NDList.Encoding.NPZ));
    }
}
