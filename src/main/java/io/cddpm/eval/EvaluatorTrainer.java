package io.cddpm.eval;

import ai.djl.nn.Activation;
import io.cddpm.core.Tensors;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.cddpm.config.LrSchedule;
import io.cddpm.config.Precision;
import io.cddpm.core.AtomicFiles;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.ProgressBars;
import io.cddpm.core.Seeds;
import io.cddpm.core.StopRequest;
import io.cddpm.data.BatchIterator;
import io.cddpm.data.IclevrDataset;
import io.cddpm.model.NamedParameters;
import io.cddpm.model.TorchKernels;
import io.cddpm.model.Safetensors;
import io.cddpm.optim.AdamW;
import io.cddpm.optim.LearningRate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ProgressBar;

/**
 * Trains the ResNet18 multi-label evaluator on a labelled dataset: binary cross-entropy on the
 * logits, AdamW with warm-up and cosine decay, shape- and color-preserving augmentation, seeded
 * (initialisation, order, augmentation). After every epoch it scores the held-out set with the
 * official metric. The weights are saved as safetensors under torchvision's names (with
 * {@code num_batches_tracked}), so {@code torchvision.models.resnet18} with the course's head
 * loads them strictly, and {@link Evaluator#load} reads them back.
 */
public final class EvaluatorTrainer {
    /** Training settings. */
    public record Options(int epochs, int batchSize, double lr, double weightDecay, int warmupSteps, long seed, Precision precision) {
        public Options {
            if (epochs <= 0) {
                throw new InvalidInputException("evaluator epochs " + epochs + ": must be positive");
            }
            if (batchSize < 2) {
                throw new InvalidInputException("evaluator batch size " + batchSize + ": must be at least 2 (BatchNorm)");
            }
            if (!(lr > 0)) {
                throw new InvalidInputException("evaluator lr " + lr + ": must be positive");
            }
            if (precision == Precision.BF16 && !TorchKernels.available()) {
                throw new InvalidInputException("evaluator precision bf16 needs cddpm's native kernels, which are unavailable: "
                        + TorchKernels.unavailableReason());
            }
        }

        public static Options defaults(int epochs) {
            return new Options(epochs, 64, 1e-3, 1e-4, 100, 0, Precision.FP32);
        }
    }

    /** One epoch: mean training loss, held-out accuracy (official metric), time. */
    public record Epoch(int epoch, double loss, double heldOutAccuracy, double seconds, double imagesPerS) {}

    /** Progress callbacks (console, tracking). */
    public interface Listener {
        default void onStep(long step, int stepsPerEpoch, double loss) {}

        default void onEpoch(Epoch epoch) {}
    }

    /** What the training produced. */
    public record Result(List<Epoch> history, Accuracy.Result heldOut, LabelMetrics labels, Path weights, double seconds) {}

    private final Options options;

    public EvaluatorTrainer(Options options) {
        this.options = options;
    }

    public Result train(IclevrDataset train, IclevrDataset heldOut, List<String> labelNames, Path out, Listener listener) {
        Engines.pytorch();
        if (train.size() < options.batchSize()) {
            throw new InvalidInputException("evaluator training set has " + train.size()
                    + " images, fewer than one batch of " + options.batchSize());
        }
        long start = System.nanoTime();
        int steps = train.size() / options.batchSize();
        LearningRate lr = new LearningRate(options.lr(), Math.min(options.warmupSteps(), steps * options.epochs() / 10),
                (long) steps * options.epochs(), LrSchedule.COSINE);
        Augmentation augment = new Augmentation(train.resolution());
        try (NDManager root = NDManager.newBaseManager(); ProgressBar bar = ProgressBars.of("evaluator", (long) steps * options.epochs(), "batch")) {
            Engine.getInstance().setRandomSeed((int) options.seed());
            ResNet18 net = new ResNet18(train.numLabels());
            net.initialize(root, DataType.FLOAT32, new Shape(options.batchSize(), 3, ResNet18.INPUT_SIZE, ResNet18.INPUT_SIZE));
            Map<String, NDArray> trainable = new LinkedHashMap<>();
            NamedParameters.of(net).forEach((name, p) -> {
                if (p.requiresGradient()) {
                    trainable.put(name, p.getArray());
                }
            });
            AdamW adam = new AdamW(options.weightDecay());
            adam.init(trainable, root);
            ParameterStore ps = new ParameterStore(root, false);
            List<Epoch> history = new ArrayList<>();
            long step = 0;
            float[][] outputs = null;
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                BatchIterator order = new BatchIterator(train, options.batchSize(), BatchIterator.Remainder.DROP, options.seed(), epoch);
                double lossSum = 0;
                int batches = 0;
                while (order.hasNext()) {
                    StopRequest.check(); // a stopped evaluator training keeps nothing: it is retrained from the start
                    int[] idx = order.nextIndices();
                    try (NDManager scope = root.newSubManager()) {
                        double loss = step(net, ps, scope, train, idx, augment, new SplittableRandom(Seeds.mix(options.seed(), step)),
                                trainable, adam, lr.at(step), options.precision());
                        lossSum += loss;
                        batches++;
                        step++;
                        listener.onStep(step, steps, loss);
                        bar.step();
                        bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d/%d loss %.4f", epoch, options.epochs(), loss));
                    }
                }
                outputs = Predictions.of(net, root, heldOut);
                double acc = Accuracy.of(outputs, heldOut.labelIndices()).accuracy();
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                Epoch e = new Epoch(epoch, lossSum / batches, acc, seconds, batches * (double) options.batchSize() / seconds);
                history.add(e);
                listener.onEpoch(e);
            }
            save(net, out, step, history, train, heldOut, options.precision());
            Accuracy.Result finalScore = Accuracy.of(outputs, heldOut.labelIndices());
            return new Result(history, finalScore, LabelMetrics.of(outputs, heldOut.labelIndices(), labelNames), out,
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** One optimisation step on the images {@code idx}: augment, BCE on logits, backward, AdamW. */
    private static double step(ResNet18 net, ParameterStore ps, NDManager scope, IclevrDataset data, int[] idx, Augmentation augment,
            SplittableRandom random, Map<String, NDArray> trainable, AdamW adam, double lr, Precision precision) {
        int r = data.resolution();
        int floats = data.imageBytes();
        float[] raw = new float[floats];
        float[] images = new float[idx.length * floats];
        float[] labels = new float[idx.length * data.numLabels()];
        for (int i = 0; i < idx.length; i++) {
            data.image(idx[i], raw, 0);
            augment.apply(raw, 0, images, i * floats, random);
            data.labels(idx[i], labels, i * data.numLabels());
        }
        NDArray x = Tensors.owned(scope, images, new Shape(idx.length, 3, r, r));
        NDArray y = Tensors.owned(scope, labels, new Shape(idx.length, data.numLabels()));
        double loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray z = logits(net, ps, x, precision);
            // binary cross-entropy with logits: max(z, 0) - z * y + log(1 + exp(-|z|)); relu, not maximum(0f): DJL's
            // maximum(Number) wraps the 0 in a Java buffer that it frees at once while the backward pass still reads it
            NDArray l = Activation.relu(z).sub(z.mul(y)).add(z.abs().neg().exp().add(1f).log()).mean();
            gc.backward(l);
            loss = l.getFloat();
        }
        Map<String, NDArray> grads = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(scope);
            grads.put(e.getKey(), g);
        }
        adam.update(trainable, grads, lr, 1.0);
        for (NDArray g : grads.values()) {
            g.muli(0);
        }
        return loss;
    }

    /**
     * The training forward pass: fp32, or bf16 mixed precision (convolutions and the head in bfloat16
     * under libtorch's autocast on fp32 master weights; the logits handed back as fp32 for the loss).
     */
    private static NDArray logits(ResNet18 net, ParameterStore ps, NDArray x, Precision precision) {
        if (precision == Precision.FP32) {
            return net.logits(ps, x, true);
        }
        NDArray z;
        try (TorchKernels.Region bf16 = TorchKernels.autocast(x.getDevice())) {
            z = net.logits(ps, x, true);
        }
        return TorchKernels.isBFloat16(z) ? TorchKernels.toFloat32(z) : z;
    }

    /** Writes the weights atomically ({@link AtomicFiles}) as safetensors with torchvision names. */
    static void save(ResNet18 net, Path out, long steps, List<Epoch> history, IclevrDataset train, IclevrDataset heldOut,
            Precision precision) {
        try (NDManager scope = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(TorchNames.parameters(net));
            for (String key : List.copyOf(tensors.keySet())) {
                if (key.endsWith(".running_var")) {
                    String prefix = key.substring(0, key.length() - "running_var".length());
                    tensors.put(prefix + "num_batches_tracked", Tensors.owned(scope, steps));
                }
            }
            Epoch last = history.get(history.size() - 1);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "cddpm-resnet18-evaluator");
            meta.put("layout", "torchvision resnet18, fc = Sequential(Linear(512, 24), Sigmoid)");
            meta.put("epochs", Integer.toString(history.size()));
            meta.put("precision", precision.id());
            meta.put("train_images", Integer.toString(train.size()));
            meta.put("heldout_images", Integer.toString(heldOut.size()));
            meta.put("heldout_accuracy", String.format("%.6f", last.heldOutAccuracy()));
            AtomicFiles.write(out, Safetensors.toBytes(tensors, meta));
        }
    }
}
