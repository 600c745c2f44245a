package io.cddpm.viz;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.cddpm.core.AtomicFiles;
import io.cddpm.runs.SampleLayout;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a folder of generated images in the {@link SampleLayout}. */
public final class SampleFiles {
    /**
     * What {@link #write} wrote.
     *
     * @param pngs  one PNG per condition, in order
     * @param array the images as images.npz
     * @param grid  the labelled grid ({@link LabelledGrid})
     */
    public record Written(List<Path> pngs, Path array, Path grid) {}

    private SampleFiles() {}

    /** The images (N, 3, H, W) in [-1, 1] as PNGs, images.npz and their grid labelled with condition i under image i. */
    public static Written write(NDArray images, List<List<String>> conditions, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<BufferedImage> pngs = Images.fromTensor(images);
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < pngs.size(); i++) {
            Path png = dir.resolve(SampleLayout.png(i));
            Images.writePng(pngs.get(i), png);
            written.add(png);
        }
        Path grid = dir.resolve(SampleLayout.GRID);
        Images.writePng(LabelledGrid.of(pngs, conditions), grid);
        NDArray named = images.duplicate();
        named.setName(SampleLayout.ARRAY_KEY);
        Path array = dir.resolve(SampleLayout.ARRAY);
        AtomicFiles.write(array, os -> new NDList(named).encode(os, NDList.Encoding.NPZ));
        return new Written(List.copyOf(written), array, grid);
    }
}
