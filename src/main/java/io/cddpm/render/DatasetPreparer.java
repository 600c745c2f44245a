package io.cddpm.render;

import io.cddpm.config.DatasetConfig;
import io.cddpm.config.RenderConfig;
import io.cddpm.core.InvalidInputException;
import io.cddpm.data.DatasetCache;
import io.cddpm.data.DatasetRoot;
import io.cddpm.data.IclevrDataset;
import io.cddpm.data.Labels;
import io.cddpm.data.TrainSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data-prep stage: resolves an experiment's dataset section to a validated dataset root
 * (rendering one first when {@code root: render}; a rendered set is reused when the same count,
 * seed, spec and size were rendered before) and loads it at the experiment's resolution through the cache.
 */
public final class DatasetPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetPreparer.class);

    private DatasetPreparer() {}

    /** The dataset root for this config, rendered under {@code workDir/datasets/} when asked. */
    public static DatasetRoot root(DatasetConfig dataset, int resolution, Path workDir) {
        if (!dataset.rendered()) {
            DatasetRoot root = new DatasetRoot(Path.of(dataset.root()), dataset.imageDir());
            root.validate();
            return root;
        }
        RenderConfig r = dataset.render();
        TrainSpec spec = spec(r);
        String name = String.format("render-%s-n%d-s%d-%dpx", r.spec() == null ? "iclevr" : Integer.toHexString(r.spec().hashCode()),
                spec.size(), r.seed(), resolution);
        Path dir = workDir.resolve("datasets").resolve(name);
        DatasetRoot root = DatasetRoot.of(dir);
        if (Files.isRegularFile(dir.resolve("train.json"))) {
            try {
                if (root.validate().size() == spec.size()) {
                    return root;
                }
            } catch (InvalidInputException e) {
                LOG.warn("re-rendering {}: {}", dir, e.getMessage());
            }
        }
        LOG.info("rendering {} images at {}px into {}", spec.size(), resolution, dir);
        DatasetRenderer.Summary s = new DatasetRenderer(resolution, r.seed(), Runtime.getRuntime().availableProcessors())
                .renderSpec(spec, dir, n -> {});
        LOG.info("rendered {} images in {} s", s.images(), String.format("%.1f", s.seconds()));
        return root;
    }

    /**
     * The entries a rendered dataset holds: the first {@code render.count} of its spec (the built-in
     * train.json unless {@code render.spec}); a count above the spec's entries is refused, not capped.
     */
    public static TrainSpec spec(RenderConfig r) {
        TrainSpec all = r.spec() == null ? TrainSpec.builtin() : TrainSpec.load(Path.of(r.spec()), Labels.builtin());
        if (r.count() != null && r.count() > all.size()) {
            throw new InvalidInputException("dataset.render.count " + r.count() + ": the spec " + all.source() + " has only " + all.size()
                    + " entries (null renders them all)");
        }
        return all.limit(r.count());
    }

    /** Prepares and loads the dataset (through the one-file cache) at {@code resolution}. */
    public static IclevrDataset load(DatasetConfig dataset, int resolution, Path workDir, Integer limit) {
        DatasetRoot root = root(dataset, resolution, workDir);
        IclevrDataset full = DatasetCache.forRoot(root).load(root, resolution, null);
        return limit == null ? full : full.first(limit);
    }
}
