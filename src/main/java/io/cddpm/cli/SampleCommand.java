package io.cddpm.cli;

import io.cddpm.pipeline.ModelCheckpoints;
import ai.djl.ndarray.NDManager;
import io.cddpm.config.SamplingConfig;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.Labels;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.SampleLayout;
import io.cddpm.sampling.ImageSampler;
import io.cddpm.viz.ImageGrid;
import io.cddpm.viz.ProgressiveStrip;
import io.cddpm.viz.SampleFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cddpm sample}: generate one image per condition from a checkpoint. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Draw one image per condition from a checkpoint: PNGs, images.npz and an 8-per-row grid.",
        footer = {"Generate one image per condition of a test.json-style file from a checkpoint (EMA weights):", "DIR/000.png ..., DIR/images.npz (key 'images', float32 NCHW in [-1, 1]) and DIR/grid.png (8 per row, each sample",
            "enlarged to at least 96 pixels with its labels under it; for singles, rows of shapes and columns of colors). It names",
            "every file it wrote."})
public final class SampleCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint file, model package folder or shipped model's name (iclevr32), or a registered model models:/NAME@ALIAS or models:/NAME/VERSION (from $MLFLOW_TRACKING_URI).")
    Path checkpoint;

    @Option(names = "--conditions", required = true, description = "test.json-style label lists, or 'test' / 'new_test' / 'singles' (built in; singles = each label alone).")
    String conditions;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = "--progressive", description = "Also write the progressive denoising of the first condition to this PNG.")
    Path progressive;

    @Override
    public Integer call() throws IOException {
        // everything the user gave is checked before the checkpoint is loaded and sampled from
        OutputPaths.folder(out, "--out");
        sampling.checkBatch();
        checkpoint = ModelCheckpoints.local(checkpoint);
        if (progressive != null) {
            OutputPaths.file(progressive, "--progressive");
        }
        SamplingConfig chosen = sampling.over(Checkpoint.readConfig(checkpoint));
        ConditionFile file = ConditionFile.resolve(conditions, Labels.builtin());
        try (ImageSampler sampler = ImageSampler.fromCheckpoint(checkpoint, !sampling.noEma, ModelCheckpoints.LOCATOR); NDManager manager = NDManager.newBaseManager()) {
            int total = sampler.scheduler(chosen).timesteps().length;
            int every = progressive == null ? 0 : ImageSampler.progressiveInterval(total);
            long start = System.nanoTime();
            ImageSampler.Samples samples = sampler.sample(file.multiHot(), chosen, sampling.batch(), every, manager);
            double seconds = (System.nanoTime() - start) / 1e9;
            SampleFiles.Written written = SampleFiles.write(samples.images(), file.conditions(), out);
            if (progressive != null) {
                ProgressiveStrip.write(samples.intermediates(), samples.intermediateSteps(), file.conditions().get(0), progressive);
            }
            System.out.printf("sampled %d images (%s) in %.1f s; wrote:%n", file.size(), chosen.describe(total), seconds);
            List<Path> pngs = written.pngs();
            System.out.printf("  %s .. %s (one %dx%d PNG per condition)%n", pngs.get(0), pngs.get(pngs.size() - 1),
                    samples.images().getShape().get(3), samples.images().getShape().get(2));
            System.out.printf("  %s (key '%s', float32 NCHW in [-1, 1])%n", written.array(), SampleLayout.ARRAY_KEY);
            System.out.printf("  %s (the samples %d per row, labelled with their conditions)%n", written.grid(), ImageGrid.PER_ROW);
            if (progressive != null) {
                System.out.printf("  %s (the denoising of condition 0: %s)%n", progressive, String.join(", ", file.conditions().get(0)));
            }
        }
        return ExitCodes.OK;
    }

}
