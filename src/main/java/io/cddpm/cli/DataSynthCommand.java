package io.cddpm.cli;

import io.cddpm.core.InvalidInputException;
import io.cddpm.core.Limits;
import io.cddpm.core.ProgressBars;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.Labels;
import io.cddpm.data.TrainSpec;
import io.cddpm.render.DatasetRenderer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm data synth}: render an i-CLEVR-compatible dataset. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Render a CLEVR-style dataset in the course's layout (train.json, objects.json, iclevr/), or ground truth for label lists.",
        footer = {"Render a CLEVR-style dataset in the course's layout: DIR/train.json, objects.json, test.json,", "new_test.json and one PNG per entry in DIR/iclevr/. Scenes NAME_0/_1/_2 add objects one at a time.", "With --conditions, render COUNT ground-truth images for arbitrary label lists instead."})
public final class DataSynthCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Output dataset root.")
    Path out;

    @Option(names = "--spec", description = "train.json-style spec to render (default: the official i-CLEVR train.json, 18,009 images).")
    Path spec;

    @Option(names = "--objects", description = "objects.json vocabulary (default: the official 24 labels).")
    Path objects;

    @Option(names = "--size", defaultValue = "64", description = "Image size in pixels, 8 to 512 (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}); same seed, same bytes.")
    long seed;

    @Option(names = "--limit", description = "Render only the first N entries of the spec (at most its number of entries).")
    Integer limit;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--conditions", description = "A test.json-style file of label lists (or 'test' / 'new_test').")
    String conditions;

    @Option(names = "--count", description = "With --conditions: how many images, at most 100,000 (cycling through the conditions; default: one each).")
    Integer count;

    @Override
    public Integer call() {
        Limits.imageSize(size, "--size");
        if (limit != null && limit <= 0) {
            throw new InvalidInputException("--limit " + limit + ": must be positive");
        }
        if (count != null && conditions == null) {
            throw new InvalidInputException("--count needs --conditions");
        }
        if (conditions != null && spec != null) {
            throw new InvalidInputException("--conditions and --spec exclude each other");
        }
        int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (workers <= 0 || workers > Limits.MAX_THREADS) {
            throw new InvalidInputException("--threads " + workers + ": must be between 1 and " + Limits.MAX_THREADS);
        }
        Labels labels = objects != null ? Labels.load(objects) : Labels.builtin();
        DatasetRenderer renderer = new DatasetRenderer(size, seed, workers);
        DatasetRenderer.Summary summary;
        if (conditions != null) {
            ConditionFile file = ConditionFile.resolve(conditions, labels);
            int n = count != null ? count : file.size();
            if (n <= 0 || n > Limits.MAX_RENDER_COUNT) {
                throw new InvalidInputException("--count " + n + ": must be between 1 and " + Limits.MAX_RENDER_COUNT);
            }
            OutputPaths.folder(out, "--out"); // the options first, then the output, then minutes of rendering
            try (ProgressBar bar = ProgressBars.of("synth", n, "img")) {
                summary = renderer.renderConditions(file, n, out, bar::stepBy);
            }
        } else {
            TrainSpec all = spec != null ? TrainSpec.load(spec, labels) : TrainSpec.builtin();
            if (limit != null && limit > all.size()) {
                throw new InvalidInputException("--limit " + limit + ": the spec " + all.source() + " has only " + all.size()
                        + " entries (leave --limit out to render them all)");
            }
            TrainSpec train = all.limit(limit);
            OutputPaths.folder(out, "--out");
            try (ProgressBar bar = ProgressBars.of("synth", train.size(), "img")) {
                summary = renderer.renderSpec(train, out, bar::stepBy);
            }
        }
        System.out.printf("rendered %d images (%dx%d) into %s in %.1f s (%.1f images/s, %d threads)%n",
                summary.images(), size, size, out.resolve(DatasetRenderer.IMAGE_DIR), summary.seconds(),
                summary.imagesPerSecond(), workers);
        System.out.println("check it with: cddpm data check --root " + out);
        return ExitCodes.OK;
    }
}
