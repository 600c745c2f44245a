package io.cddpm.config;

import java.util.List;

/**
 * Where the training images come from and which condition files are evaluated.
 *
 * @param root      {@code render} to render a dataset with the built-in renderer, or a path to a
 *                  course-layout root (train.json, test.json, objects.json and the image folder)
 * @param imageDir  the image folder under root
 * @param render    what to render when root is {@code render}
 * @param testFiles condition files to evaluate: {@code test}, {@code new_test} (built-in) or paths
 */
public record DatasetConfig(String root, String imageDir, RenderConfig render, List<String> testFiles) {
    /** The value of {@code root} that asks for a rendered dataset. */
    public static final String RENDER = "render";

    public DatasetConfig {
        testFiles = testFiles == null ? null : List.copyOf(testFiles);
    }

    public static DatasetConfig defaults() {
        return new DatasetConfig(RENDER, "iclevr", RenderConfig.defaults(), List.of("test", "new_test"));
    }

    /** True when the dataset is rendered by the built-in renderer rather than read from a root. */
    public boolean rendered() {
        return RENDER.equals(root);
    }
}
