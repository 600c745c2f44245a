package io.cddpm.pipeline;

import io.cddpm.config.ConfigHash;
import io.cddpm.config.DatasetConfig;
import io.cddpm.config.EvaluationConfig;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Precision;
import io.cddpm.config.RenderConfig;
import io.cddpm.core.FileDigests;
import io.cddpm.core.InvalidInputException;
import io.cddpm.data.BatchIterator;
import io.cddpm.data.IclevrDataset;
import io.cddpm.data.Labels;
import io.cddpm.eval.EvaluatorTrainer;
import io.cddpm.model.Safetensors;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.ModelPackage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The evaluator a trial is scored with: the weights file named by {@code evaluation.evaluator}, or
 * (for {@code train}) a ResNet18 trained on the trial's dataset, cached under
 * {@code <output_dir>/evaluators/} by a hash of what it depends on (dataset, resolution, epochs,
 * seed), so the trials of a sweep and later runs share one.
 */
public final class EvaluatorWeights {
    /** The weights and, for a trained evaluator, its held-out accuracy (NaN for a given file). */
    public record Resolved(Path weights, double heldOutAccuracy, boolean trained) {}

    private EvaluatorWeights() {}

    /**
     * Where a trained evaluator for this config is kept: a hash of the dataset (without its test files),
     * resolution, epochs, seed, renders and precision.
     */
    static Path trainedPath(ExperimentConfig c) {
        Map<String, Object> key = new LinkedHashMap<>();
        // which files are scored does not change the evaluator: the key states the default list, as every key did before
        DatasetConfig d = c.dataset();
        key.put("dataset", new DatasetConfig(d.root(), d.imageDir(), d.render(), DatasetConfig.defaults().testFiles()));
        key.put("resolution", c.resolution());
        key.put("limit_images", c.training().limitImages());
        key.put("epochs", c.evaluation().evaluatorEpochs());
        key.put("seed", c.training().seed());
        if (c.evaluation().evaluatorRenders() > 1) {
            key.put("renders", c.evaluation().evaluatorRenders());
        }
        if (c.evaluation().evaluatorPrecision() != Precision.FP32) {
            key.put("precision", c.evaluation().evaluatorPrecision().id());
        }
        return Path.of(c.outputDir()).resolve("evaluators").resolve("evaluator-" + ConfigHash.ofValue(key).substring(0, 16) + ".safetensors");
    }

    /**
     * Which evaluator scored a result, as evaluations.json records it: the weights file's name and the first
     * 12 hex digits of its SHA-256 (a file replaced under the same name is another evaluator).
     */
    static String id(Path weights) {
        return weights.getFileName() + "#" + FileDigests.sha256(weights).substring(0, 12);
    }

    /** The evaluator weights without training: the configured file, or the trained one if it exists already. */
    static Optional<Path> cached(ExperimentConfig c) {
        Path file = c.evaluation().trainsEvaluator() ? trainedPath(c) : Path.of(c.evaluation().evaluator());
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /**
     * The evaluator a checkpoint's trial is scored with, when it exists without training (for {@code cddpm
     * evaluate}): a model package's own evaluator; the weights file its config names, or the one trained for it, cached under the config's
     * output_dir or, looked at from another working directory, under the output folder the checkpoint is in
     * ({@code OUTPUT/NAME/TRIAL/checkpoints/FILE}).
     */
    public static Optional<Path> ofCheckpoint(Path checkpoint, ExperimentConfig c) {
        if (ModelPackage.isPackage(checkpoint)) {
            Optional<Path> packaged = ModelPackage.open(checkpoint).evaluator();
            if (packaged.isPresent()) {
                return packaged;
            }
        }
        Optional<Path> here = cached(c);
        if (here.isPresent() || !c.evaluation().trainsEvaluator()) {
            return here;
        }
        Path output = checkpoint.toAbsolutePath().normalize();
        for (int up = 0; up < 4 && output != null; up++) {
            output = output.getParent();
        }
        if (output == null) {
            return Optional.empty();
        }
        Path trained = trainedPath(c);
        Path file = output.resolve(trained.getParent().getFileName()).resolve(trained.getFileName());
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    private static IclevrDataset renderWithSeedOffset(ExperimentConfig c, int offset) {
        DatasetConfig d = c.dataset();
        RenderConfig r = d.render();
        DatasetConfig other = new DatasetConfig(d.root(), d.imageDir(), new RenderConfig(r.count(), r.seed() + offset, r.spec()), d.testFiles());
        return DatasetPreparer.load(other, c.resolution(), Path.of(c.outputDir()), c.training().limitImages());
    }

    public static Resolved resolve(ExperimentConfig c, IclevrDataset dataset, PrintStream console) {
        EvaluationConfig e = c.evaluation();
        if (!e.trainsEvaluator()) {
            Path file = Path.of(e.evaluator());
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("evaluation.evaluator: " + file + " not found (weights .pth/.safetensors, or 'train')");
            }
            return new Resolved(file, Double.NaN, false);
        }
        Path file = trainedPath(c);
        if (Files.isRegularFile(file)) {
            String acc = Safetensors.metadata(file).get("heldout_accuracy");
            console.println("evaluator: reusing " + file + (acc == null ? "" : " (held-out accuracy " + acc + ")"));
            return new Resolved(file, acc == null ? Double.NaN : Double.parseDouble(acc), false);
        }
        IclevrDataset train;
        IclevrDataset held;
        int renders = e.evaluatorRenders();
        if (renders > 1) {
            // the trial's render plus renders-1 more of the same spec with the next seeds; scored on a further render
            List<IclevrDataset> parts = new ArrayList<>();
            parts.add(dataset);
            for (int k = 1; k < renders; k++) {
                parts.add(renderWithSeedOffset(c, k));
            }
            train = IclevrDataset.concat(parts);
            IclevrDataset unseen = renderWithSeedOffset(c, renders);
            held = unseen.first(Math.min(1000, unseen.size()));
        } else {
            int holdout = Math.max(1, Math.min(1000, dataset.size() / 10));
            int[] order = new BatchIterator(dataset, dataset.size(), BatchIterator.Remainder.KEEP, c.training().seed() ^ 0x5eedL, 0).nextIndices();
            held = dataset.subset(Arrays.copyOfRange(order, 0, holdout));
            train = dataset.subset(Arrays.copyOfRange(order, holdout, order.length));
        }
        int batch = Math.max(2, Math.min(64, train.size() / 2));
        console.printf("evaluator: training a ResNet18 on %d images (%d held out%s), %d epochs -> %s%n", train.size(), held.size(),
                renders > 1 ? ", from an unseen render" : "",
                e.evaluatorEpochs(), file);
        EvaluatorTrainer.Result r = new EvaluatorTrainer(new EvaluatorTrainer.Options(e.evaluatorEpochs(), batch, 1e-3, 1e-4, 100,
                c.training().seed(), e.evaluatorPrecision())).train(train, held, Labels.builtin().names(), file, new EvaluatorTrainer.Listener() {
                    @Override
                    public void onEpoch(EvaluatorTrainer.Epoch ep) {
                        console.printf("evaluator: epoch %d/%d loss %.4f held-out accuracy %.4f%n", ep.epoch(), e.evaluatorEpochs(),
                                ep.loss(), ep.heldOutAccuracy());
                    }
                });
        return new Resolved(file, r.heldOut().accuracy(), true);
    }
}
