package io.cddpm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cddpm.config.Precision;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.Limits;
import io.cddpm.data.BatchIterator;
import io.cddpm.data.DatasetCache;
import io.cddpm.data.DatasetRoot;
import io.cddpm.data.IclevrDataset;
import io.cddpm.eval.EvaluatorTrainer;
import io.cddpm.eval.LabelMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm evaluator train}: train the ResNet18 evaluator and save it as safetensors. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the ResNet18 evaluator on dataset roots and report its held-out accuracy per epoch and per label.",
        footer = {"Train the ResNet18 multi-label evaluator (BCE, mirror/shift augmentation, AdamW, seeded) on a dataset", "root at --size (default 64). After every epoch it prints the loss and the held-out accuracy (the official metric); at the", "end per-label precision/recall. Weights: safetensors with torchvision's names; OUT.json holds the history."})
public final class EvaluatorTrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "Training dataset root (train.json + iclevr/); repeat it to train "
            + "on several, e.g. the same spec rendered with other seeds.")
    List<Path> data;

    @Option(names = "--heldout", description = "Held-out dataset root, e.g. rendered with another seed by "
            + "'cddpm data synth --conditions ... --seed 7' (default: hold out --holdout images of --data).")
    Path heldout;

    @Option(names = "--holdout", defaultValue = "1000", description = "Without --heldout: images of --data held out (default ${DEFAULT-VALUE}).")
    int holdout;

    @Option(names = "--out", required = true, description = "Weights file (.safetensors).")
    Path out;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--size", defaultValue = "64", description = "Image size in pixels the evaluator is trained at (default ${DEFAULT-VALUE}); score images of that size with it.")
    int size;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Peak AdamW learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--limit", description = "Train on the first N images only.")
    Integer limit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--precision", defaultValue = "fp32",
            description = "fp32, or bf16 mixed precision (bf16 compute, fp32 weights; needs the native kernels; default ${DEFAULT-VALUE}).")
    Precision precision;

    @Override
    public Integer call() throws Exception {
        if (!out.getFileName().toString().endsWith(".safetensors")) {
            throw new InvalidInputException("--out " + out + ": the evaluator is saved as .safetensors");
        }
        Limits.imageSize(size, "--size");
        if (epochs <= 0 || batch <= 0) {
            throw new InvalidInputException((epochs <= 0 ? "--epochs " + epochs : "--batch " + batch) + ": must be positive");
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new InvalidInputException("--lr " + lr + ": must be a finite number > 0");
        }
        // the weights and OUT.json are written after training: check both places first, not after the hours
        OutputPaths.file(out, "--out");
        OutputPaths.file(out.resolveSibling(out.getFileName() + ".json"), "--out");
        List<IclevrDataset> parts = new ArrayList<>();
        for (Path d : data) {
            DatasetRoot r = DatasetRoot.of(d);
            parts.add(DatasetCache.forRoot(r).load(r, size, null));
        }
        IclevrDataset all = parts.size() == 1 ? parts.get(0) : IclevrDataset.concat(parts);
        DatasetRoot root = DatasetRoot.of(data.get(0));
        IclevrDataset train;
        IclevrDataset held;
        if (heldout != null) {
            DatasetRoot h = DatasetRoot.of(heldout);
            held = DatasetCache.forRoot(h).load(h, size, null);
            train = all;
        } else {
            if (holdout <= 0 || holdout >= all.size()) {
                throw new InvalidInputException("--holdout " + holdout + ": must be between 1 and " + (all.size() - 1) + " for " + data);
            }
            int[] order = new BatchIterator(all, all.size(), BatchIterator.Remainder.KEEP, seed ^ 0x5eedL, 0).nextIndices();
            held = all.subset(Arrays.copyOfRange(order, 0, holdout));
            train = all.subset(Arrays.copyOfRange(order, holdout, order.length));
        }
        if (limit != null) {
            if (limit <= 0) {
                throw new InvalidInputException("--limit " + limit + ": must be positive");
            }
            train = train.first(limit);
        }
        var labels = root.labels();
        System.out.printf("training the evaluator on %d images, held-out %d images (%s), %d epochs, %s%n", train.size(), held.size(),
                heldout != null ? heldout : "split from " + data, epochs, precision.id());
        EvaluatorTrainer.Options options = new EvaluatorTrainer.Options(epochs, batch, lr, 1e-4, 100, seed, precision);
        // the trainer shows its progress (a bar on a terminal, else a line every 30 s); the epochs are printed here
        EvaluatorTrainer.Result result = new EvaluatorTrainer(options).train(train, held, labels.names(), out, new EvaluatorTrainer.Listener() {
            @Override
            public void onEpoch(EvaluatorTrainer.Epoch e) {
                System.out.printf("epoch %d/%d  loss %.5f  held-out accuracy %.4f  (%.0f s, %.1f img/s)%n",
                        e.epoch(), epochs, e.loss(), e.heldOutAccuracy(), e.seconds(), e.imagesPerS());
            }
        });
        LabelMetrics m = result.labels();
        System.out.print(m.table());
        System.out.printf("held-out accuracy %.4f (%d images), mean_image_accuracy %.4f; trained in %.1f s; weights %s%n",
                result.heldOut().accuracy(), held.size(), result.heldOut().meanImageAccuracy(), result.seconds(), out);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("weights", out.toString());
        report.put("train_images", train.size());
        report.put("heldout_images", held.size());
        report.put("heldout", heldout != null ? heldout.toString() : "split from " + data);
        report.put("accuracy", result.heldOut().accuracy());
        report.put("mean_image_accuracy", result.heldOut().meanImageAccuracy());
        report.put("seconds", result.seconds());
        report.put("history", result.history());
        report.put("labels", m.rows());
        Path json = out.resolveSibling(out.getFileName() + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
        System.out.println("history and per-label figures: " + json);
        return ExitCodes.OK;
    }
}
