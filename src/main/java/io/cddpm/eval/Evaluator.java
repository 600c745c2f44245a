package io.cddpm.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.model.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The multi-label classifier that scores generated images: a ResNet18 (torchvision layout) loaded
 * from the course's {@code checkpoint.pth} ({'model': state_dict}, zip or legacy format) or from a
 * safetensors file with torchvision's names. Images are scored in batches, each in its own scope.
 */
public final class Evaluator implements AutoCloseable {
    private final NDManager manager;
    private final ResNet18 net;

    private Evaluator(NDManager manager, ResNet18 net) {
        this.manager = manager;
        this.net = net;
    }

    public static Evaluator load(Path file) {
        Engines.pytorch();
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": evaluator weights not found");
        }
        NDManager manager = NDManager.newBaseManager();
        try {
            ResNet18 net = new ResNet18(24);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, ResNet18.INPUT_SIZE, ResNet18.INPUT_SIZE));
            if (file.toString().endsWith(".safetensors")) {
                try (NDManager loading = manager.newSubManager()) {
                    Map<String, TorchCheckpoint.Tensor> sd = new LinkedHashMap<>();
                    Safetensors.read(Files.readAllBytes(file), loading, file.toString()).tensors().forEach((k, v) -> {
                        float[] f = v.toType(DataType.FLOAT32, false).toFloatArray();
                        double[] d = new double[f.length];
                        for (int i = 0; i < f.length; i++) {
                            d[i] = f[i];
                        }
                        sd.put(k, new TorchCheckpoint.Tensor("float32", v.getShape().getShape(), d));
                    });
                    TorchNames.load(net, sd, file.toString());
                }
            } else {
                TorchNames.load(net, TorchCheckpoint.stateDict(file), file.toString());
            }
            return new Evaluator(manager, net);
        } catch (IOException e) {
            manager.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Scores images (N, 3, H, W) in [-1, 1] against their true label indices with the official metric. */
    public Accuracy.Result score(NDArray images, List<int[]> labels) {
        return Accuracy.of(outputs(images, labels.size()), labels);
    }

    /** The sigmoid outputs (N, 24) of images (N, 3, H, W) in [-1, 1] that pair up with {@code expected} conditions. */
    public float[][] outputs(NDArray images, int expected) {
        long n = images.getShape().get(0);
        if (n != expected) {
            throw new InvalidInputException(n + " images but " + expected + " conditions: they must pair up one to one");
        }
        return Predictions.of(net, manager, images);
    }

    @Override
    public void close() {
        manager.close();
    }
}
