package io.cddpm.cli;

import io.cddpm.core.Limits;
import io.cddpm.data.DatasetCache;
import io.cddpm.data.DatasetRoot;
import io.cddpm.data.IclevrDataset;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm data cache}: preprocess a dataset root into its one-file cache (or load it) and time it. */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Preprocess a dataset root to a resolution into its cache file (ROOT/.cddpm-cache), or load it, and report the time.")
public final class DataCacheCommand implements Callable<Integer> {
    @Option(names = "--root", required = true, description = "Dataset root.")
    Path root;

    @Option(names = "--images", defaultValue = DatasetRoot.DEFAULT_IMAGE_DIR, description = "Image folder under the root (default ${DEFAULT-VALUE}).")
    String images;

    @Option(names = "--size", defaultValue = "64", description = "Resolution, 8 to 512 (default ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() {
        Limits.imageSize(size, "--size");
        long start = System.nanoTime();
        IclevrDataset dataset = DatasetCache.forRoot(new DatasetRoot(root, images)).load(new DatasetRoot(root, images), size, null);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d images at %dx%d ready in %.2f s (cache: %s)%n", dataset.size(), size, size, seconds,
                root.resolve(".cddpm-cache"));
        return ExitCodes.OK;
    }
}
