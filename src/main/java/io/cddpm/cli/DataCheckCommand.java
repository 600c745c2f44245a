package io.cddpm.cli;

import io.cddpm.core.InvalidInputException;
import io.cddpm.core.ProgressBars;
import io.cddpm.data.DatasetImageSize;
import io.cddpm.data.DatasetRoot;
import io.cddpm.data.LabeledImage;
import io.cddpm.data.TrainSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm data check}: validate a dataset root and summarise it. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a dataset root (real i-CLEVR or rendered): spec, labels, every image readable and of one size; print a summary.")
public final class DataCheckCommand implements Callable<Integer> {
    @Option(names = "--root", required = true, description = "Dataset root (train.json, objects.json, image folder).")
    Path root;

    @Option(names = "--images", defaultValue = DatasetRoot.DEFAULT_IMAGE_DIR, description = "Image folder under the root (default ${DEFAULT-VALUE}).")
    String images;

    @Override
    public Integer call() throws IOException {
        DatasetRoot dataset = new DatasetRoot(root, images);
        TrainSpec spec = dataset.validate();
        Map<String, Integer> sizes = new TreeMap<>();
        int[] perLabel = new int[spec.labels().size()];
        Map<Integer, Integer> objectsPerImage = new TreeMap<>();
        Path firstFile = dataset.image(spec.entries().get(0).fileName());
        DatasetImageSize first = null;
        try (ProgressBar bar = ProgressBars.of("check", spec.size(), "img")) {
            for (LabeledImage e : spec.entries()) {
                Path file = dataset.image(e.fileName());
                BufferedImage image = decode(file);
                DatasetImageSize size = DatasetImageSize.of(file, image.getWidth(), image.getHeight());
                if (first == null) {
                    first = size;
                }
                first.requireSame(size, file, firstFile);
                sizes.merge(size + (image.getColorModel().hasAlpha() ? " RGBA" : " RGB"), 1, Integer::sum);
                for (int i : e.indices()) {
                    perLabel[i]++;
                }
                objectsPerImage.merge(e.indices().length, 1, Integer::sum);
                bar.step();
            }
        }
        System.out.printf("dataset %s: OK%n", root);
        System.out.printf("  images:            %d in %s%n", spec.size(), dataset.images());
        System.out.printf("  labels:            %d (%s)%n", spec.labels().size(), spec.labels().source());
        System.out.printf("  objects per image: %s%n", objectsPerImage);
        System.out.printf("  image sizes:       %s%n", sizes);
        System.out.println("  images per label:");
        for (int i = 0; i < perLabel.length; i++) {
            System.out.printf("    %-18s %6d%n", spec.labels().name(i), perLabel[i]);
        }
        return ExitCodes.OK;
    }

    /** The image, decoded fully so corrupt files are caught. */
    private static BufferedImage decode(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            var readers = ImageIO.getImageReaders(in);
            if (in == null || !readers.hasNext()) {
                throw new InvalidInputException(file + ": not an image ImageIO can decode");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidInputException iie) {
                throw iie;
            }
            throw new InvalidInputException(file + ": unreadable or corrupt image (" + e.getMessage() + ")", e);
        }
    }
}
