package io.cddpm.eval;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.data.IclevrDataset;
import io.cddpm.model.GradMode;
import io.cddpm.model.TorchKernels;
import java.util.Arrays;

/** The classifier's sigmoid outputs for many images, in batches, each batch in its own NDManager scope. */
public final class Predictions {
    static final int BATCH = 64;

    private Predictions() {}

    /** Supplies images [start, end) as (end - start, 3, H, W) float32 in [-1, 1], created in {@code scope}. */
    interface Source {
        NDArray batch(NDManager scope, int start, int end);
    }

    /** Outputs for images (N, 3, H, W) in [-1, 1]. */
    static float[][] of(ResNet18 net, NDManager manager, NDArray images) {
        return of(net, manager, (int) images.getShape().get(0), (scope, start, end) -> {
            NDArray b = images.get(start + ":" + end).toType(DataType.FLOAT32, false);
            b.attach(scope);
            return b;
        });
    }

    /** Outputs for every image of a dataset. */
    static float[][] of(ResNet18 net, NDManager manager, IclevrDataset data) {
        int r = data.resolution();
        int floats = data.imageBytes();
        return of(net, manager, data.size(), (scope, start, end) -> {
            float[] buf = new float[(end - start) * floats];
            for (int i = start; i < end; i++) {
                data.image(i, buf, (i - start) * floats);
            }
            return Tensors.owned(scope, buf, new Shape(end - start, 3, r, r));
        });
    }

    private static float[][] of(ResNet18 net, NDManager manager, int n, Source source) {
        float[][] outputs = new float[n][];
        ParameterStore ps = new ParameterStore(manager, false);
        for (int start = 0; start < n; start += BATCH) {
            int end = Math.min(n, start + BATCH);
            try (NDManager scope = manager.newSubManager()) {
                NDArray batch = source.batch(scope, start, end);
                float[] flat;
                try (TorchKernels.Region noGrad = GradMode.off()) { // inference: no autograd graph on any thread
                    flat = net.forward(ps, new NDList(batch), false).singletonOrThrow().toFloatArray();
                }
                int classes = flat.length / (end - start);
                for (int i = start; i < end; i++) {
                    outputs[i] = Arrays.copyOfRange(flat, (i - start) * classes, (i - start + 1) * classes);
                }
            }
        }
        return outputs;
    }
}
