package io.cddpm.data;

import io.cddpm.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset in the course's layout: {@code ROOT/train.json}, {@code ROOT/objects.json} (optional:
 * the built-in vocabulary otherwise) and an image folder ({@code iclevr/} by default).
 */
public record DatasetRoot(Path root, String imageDir) {
    public static final String DEFAULT_IMAGE_DIR = "iclevr";

    public DatasetRoot {
        SafeNames.check(imageDir, root + ": image folder");
    }

    public static DatasetRoot of(Path root) {
        return new DatasetRoot(root, DEFAULT_IMAGE_DIR);
    }

    public Path images() {
        return root.resolve(imageDir);
    }

    /** The file of one spec entry, refused by name when the name would leave the image folder. */
    public Path image(String fileName) {
        return SafeNames.resolve(images(), fileName, trainJson() + ": entry");
    }

    public Path trainJson() {
        return root.resolve("train.json");
    }

    public Path objectsJson() {
        return root.resolve("objects.json");
    }

    /** The vocabulary: ROOT/objects.json when present, the built-in one otherwise. */
    public Labels labels() {
        return Files.isRegularFile(objectsJson()) ? Labels.load(objectsJson()) : Labels.builtin();
    }

    /**
     * Reads and validates the specification and checks that every image file exists; fails with one
     * message naming the root, the missing count and the first few names.
     */
    public TrainSpec validate() {
        if (!Files.isDirectory(root)) {
            throw new InvalidInputException(root + ": dataset root not found (expected train.json, objects.json and " + imageDir + "/)");
        }
        if (!Files.isRegularFile(trainJson())) {
            throw new InvalidInputException(trainJson() + ": file not found (a dataset root holds train.json, objects.json and " + imageDir + "/)");
        }
        if (!Files.isDirectory(images())) {
            throw new InvalidInputException(images() + ": image folder not found (set the image folder name if yours differs)");
        }
        TrainSpec spec = TrainSpec.load(trainJson(), labels());
        List<String> missing = new ArrayList<>();
        for (LabeledImage e : spec.entries()) {
            if (!Files.isRegularFile(image(e.fileName()))) {
                missing.add(e.fileName());
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidInputException(images() + ": " + missing.size() + " of " + spec.size()
                    + " images listed in " + trainJson() + " are missing, e.g. "
                    + String.join(", ", missing.subList(0, Math.min(5, missing.size()))));
        }
        return spec;
    }
}
