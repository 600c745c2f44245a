package io.cddpm.cli;

import io.cddpm.pipeline.ModelCheckpoints;
import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.Limits;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.DatasetCache;
import io.cddpm.data.DatasetRoot;
import io.cddpm.data.IclevrDataset;
import io.cddpm.data.ImageResizer;
import io.cddpm.data.Labels;
import io.cddpm.data.TrainSpec;
import io.cddpm.eval.Accuracy;
import io.cddpm.eval.CheckpointScorer;
import io.cddpm.eval.Evaluator;
import io.cddpm.eval.NpzImages;
import io.cddpm.eval.ResNet18;
import io.cddpm.model.Safetensors;
import io.cddpm.pipeline.EvaluatorWeights;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.SampleLayout;
import io.cddpm.viz.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cddpm evaluate}: score generated images with the multi-label classifier. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score generated images, a checkpoint's samples or a dataset root with a ResNet18 evaluator (the course's accuracy).",
        footer = {"Score generated images against their conditions with a ResNet18 evaluator (the course's", "checkpoint.pth, zip or legacy format, or a safetensors file): accuracy = top-k hits / true labels, pooled.", "With --checkpoint it samples the images from a DDPM checkpoint first (sampler options as in 'sample');", "with --data it scores a dataset root (train.json + images, e.g. ground-truth renders) with its own labels.",
            "Without --evaluator, --checkpoint uses the evaluator its run is scored with (the weights file its config names, or the",
            "one its run trained, in the output folder's evaluators/) and says which, with that evaluator's held-out accuracy."})
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--images", description = "A folder of 000.png, 001.png, ... (one per condition, in order) or an images.npz.")
    Path images;

    @Option(names = "--checkpoint", description = "Instead of --images: sample one image per condition from this DDPM checkpoint first: a checkpoint file, a model package folder or a shipped model's name (iclevr32), or a registered model models:/NAME@ALIAS or models:/NAME/VERSION (from $MLFLOW_TRACKING_URI).")
    Path checkpoint;

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = "--data", paramLabel = "ROOT", description = "Instead of --images: a dataset root (train.json, objects.json, iclevr/),"
            + " e.g. from 'data synth --conditions'; every image is scored against its own labels (the evaluator's ceiling).")
    Path data;

    @Option(names = "--size", description = "With --data: load the images at this size, 8 to 512 (default: the images' own size when square, else 64).")
    Integer size;

    @Option(names = "--conditions", description = "test.json-style label lists, or 'test' / 'new_test' (required with --images and --checkpoint).")
    String conditions;

    @Option(names = "--evaluator", description = "Evaluator weights: checkpoint.pth ({'model': state_dict}) or .safetensors"
            + " (default with --checkpoint: the evaluator the checkpoint's own run is scored with).")
    Path evaluator;

    @Option(names = "--details", description = "Also print the hits of every image.")
    boolean details;

    @Override
    public Integer call() throws IOException {
        int sources = (images == null ? 0 : 1) + (checkpoint == null ? 0 : 1) + (data == null ? 0 : 1);
        if (sources != 1) {
            throw new InvalidInputException("give exactly one of --images (generated images), --checkpoint (sample them first) and --data"
                    + " (a dataset root)");
        }
        if (evaluator == null && checkpoint == null) {
            throw new InvalidInputException("--evaluator is required with --images and --data: the evaluator's weights, e.g. a run's"
                    + " <output_dir>/evaluators/evaluator-*.safetensors, one from 'cddpm evaluator train', or the course's checkpoint.pth"
                    + " (with --checkpoint it defaults to the checkpoint's own)");
        }
        if (data != null) {
            return scoreDataset();
        }
        if (conditions == null) {
            throw new InvalidInputException("--conditions is required with --images and --checkpoint (a test.json-style file, or test / new_test / singles)");
        }
        ConditionFile file = ConditionFile.resolve(conditions, Labels.builtin());
        checkpoint = ModelCheckpoints.local(checkpoint);
        ExperimentConfig config = checkpoint == null ? null : Checkpoint.readConfig(checkpoint);
        if (evaluator == null) {
            evaluator = ownEvaluator(checkpoint, config);
        }
        SamplingConfig chosen = config == null ? null : sampling.over(config);
        NpzImages.Images given = images == null ? null : read(images, file.size()); // checked before any model is loaded
        Engines.pytorch();
        try (Evaluator eval = Evaluator.load(evaluator); NDManager manager = NDManager.newBaseManager()) {
            Accuracy.Result r;
            if (checkpoint != null) {
                long start = System.nanoTime();
                r = CheckpointScorer.score(checkpoint, chosen, List.of(file), eval, sampling.batch(), ModelCheckpoints.LOCATOR).get(file.name());
                System.out.printf("sampled and scored %d images from %s (%s) in %.1f s%n", file.size(), checkpoint,
                        chosen.describe(chosen.denoisingSteps(config.diffusion().trainTimesteps())),
                        (System.nanoTime() - start) / 1e9);
            } else {
                r = eval.score(Tensors.owned(manager, given.data(), new Shape(given.count(), 3, given.size(), given.size())), file.indices());
            }
            if (details) {
                for (int i = 0; i < r.images().size(); i++) {
                    System.out.printf("%03d %d/%d %s%n", i, r.images().get(i).hits(), r.images().get(i).labels(), file.conditions().get(i));
                }
            }
            System.out.printf("accuracy %.4f (%d images, %s)   mean_image_accuracy %.4f%n", r.accuracy(), r.images().size(), file.source(),
                    r.meanImageAccuracy());
        }
        return ExitCodes.OK;
    }

    /**
     * The evaluator a checkpoint's run is scored with (the weights file its config names, or the one its run
     * trained and cached), said on the console with its held-out accuracy; or an error that says what to pass.
     */
    static Path ownEvaluator(Path checkpoint, ExperimentConfig config) {
        Path found = EvaluatorWeights.ofCheckpoint(checkpoint, config).orElseThrow(() -> new InvalidInputException(
                "no --evaluator given, and the checkpoint's own evaluator is not here: " + (config.evaluation().trainsEvaluator()
                        ? "its run trains one (evaluation.evaluator: train), cached in its output_dir's evaluators/ (here "
                                + Path.of(config.outputDir(), "evaluators") + ") once 'cddpm run' has trained it"
                        : "its config names " + config.evaluation().evaluator() + ", which does not exist")
                        + "; pass --evaluator WEIGHTS (.safetensors or the course's checkpoint.pth)"));
        String heldOut = found.getFileName().toString().endsWith(".safetensors") ? Safetensors.metadata(found).get("heldout_accuracy") : null;
        System.out.printf("evaluator: %s (the checkpoint's own%s)%n", found,
                heldOut == null ? "" : String.format(Locale.ROOT, "; held-out accuracy %.4f, the ceiling of the accuracy below",
                        Double.parseDouble(heldOut)));
        return found;
    }

    /** Scores every image of a dataset root against its own labels. */
    private Integer scoreDataset() {
        DatasetRoot root = DatasetRoot.of(data);
        TrainSpec spec = root.validate();
        int resolution = size != null ? size : nativeSize(root.image(spec.entries().get(0).fileName()));
        Limits.imageSize(resolution, "--size");
        IclevrDataset dataset = DatasetCache.forRoot(root).load(root, resolution, null);
        Engines.pytorch();
        try (Evaluator eval = Evaluator.load(evaluator); NDManager manager = NDManager.newBaseManager()) {
            int n = dataset.size();
            int r = dataset.resolution();
            float[] pixels = new float[n * dataset.imageBytes()];
            for (int i = 0; i < n; i++) {
                dataset.image(i, pixels, i * dataset.imageBytes());
            }
            Accuracy.Result result = eval.score(Tensors.owned(manager, pixels, new Shape(n, 3, r, r)), dataset.labelIndices());
            if (details) {
                for (int i = 0; i < n; i++) {
                    System.out.printf("%s %d/%d %s%n", dataset.name(i), result.images().get(i).hits(), result.images().get(i).labels(),
                            spec.entries().get(i).labels());
                }
            }
            System.out.printf("accuracy %.4f (%d images of %s at %dpx)   mean_image_accuracy %.4f%n", result.accuracy(), n, data, r,
                    result.meanImageAccuracy());
        }
        return ExitCodes.OK;
    }

    private static int nativeSize(Path png) {
        var image = Images.read(png);
        return image.getWidth() == image.getHeight() ? image.getWidth() : ResNet18.INPUT_SIZE;
    }

    /** The images to score as float32 NCHW in [-1, 1]: an images.npz (layout checked, see NpzImages) or a folder of NNN.png. */
    private static NpzImages.Images read(Path images, int expected) throws IOException {
        if (Files.isRegularFile(images)) {
            return NpzImages.read(images, expected);
        }
        if (!Files.isDirectory(images)) {
            throw new InvalidInputException(images + ": neither an image folder nor an images.npz");
        }
        try (var files = Files.list(images)) {
            // an image beyond the conditions means the folder and the condition file do not belong together
            List<String> extra = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{3,9}\\.png"))
                    .filter(n -> Integer.parseInt(n.substring(0, n.length() - 4)) >= expected).sorted().toList();
            if (!extra.isEmpty()) {
                throw new InvalidInputException(images + ": " + extra.size() + " images beyond the " + expected + " conditions (e.g. "
                        + extra.get(0) + "); is this folder generated from another condition file?");
            }
        }
        float[] data = null;
        int size = 0;
        for (int i = 0; i < expected; i++) {
            Path png = images.resolve(SampleLayout.png(i));
            if (!Files.isRegularFile(png)) {
                throw new InvalidInputException(images + ": " + png.getFileName() + " missing (expected 000.png .. "
                        + SampleLayout.png(expected - 1) + ", one per condition)");
            }
            var image = Images.read(png);
            if (data == null) {
                size = image.getWidth();
                if (size != image.getHeight() || size < Limits.MIN_IMAGE_SIZE || size > Limits.MAX_IMAGE_SIZE) {
                    throw new InvalidInputException(images + ": " + png.getFileName() + " is " + size + "x" + image.getHeight()
                            + " pixels; images to score are square, " + Limits.MIN_IMAGE_SIZE + " to " + Limits.MAX_IMAGE_SIZE + " pixels");
                }
                Limits.datasetTooLarge(expected, size).ifPresent(why -> {
                    throw new InvalidInputException(images + ": " + why);
                });
                data = new float[expected * 3 * size * size];
            }
            if (image.getWidth() != size || image.getHeight() != size) {
                // layouts are checked, never assumed: a crop or another run's image is not resized to fit
                throw new InvalidInputException(images + ": " + png.getFileName() + " is " + image.getWidth() + "x" + image.getHeight()
                        + " pixels; expected square images of one size, " + size + "x" + size + " like " + SampleLayout.png(0));
            }
            byte[] chw = ImageResizer.toChw(image, size);
            for (int k = 0; k < chw.length; k++) {
                data[i * chw.length + k] = (chw[k] & 0xff) / 127.5f - 1f;
            }
        }
        return new NpzImages.Images(data, expected, size);
    }
}
