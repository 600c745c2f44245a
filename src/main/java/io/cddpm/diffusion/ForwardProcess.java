package io.cddpm.diffusion;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * q(x_t | x_0): x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) noise, per sample with its own
 * timestep, and the regression target of each prediction type.
 */
public final class ForwardProcess {
    private final NoiseSchedule schedule;

    public ForwardProcess(NoiseSchedule schedule) {
        this.schedule = schedule;
    }

    /** x_t for a batch (B, ...) of clean samples, noise and per-sample timesteps. */
    public NDArray addNoise(NDArray x0, NDArray noise, int[] timesteps) {
        NDArray[] c = coefficients(x0.getManager(), x0, timesteps);
        return x0.mul(c[0]).add(noise.mul(c[1]));
    }

    /** What the model is trained to output: epsilon -> noise, sample -> x_0, v -> sqrt(ab) noise - sqrt(1-ab) x_0. */
    public NDArray target(PredictionType type, NDArray x0, NDArray noise, int[] timesteps) {
        return switch (type) {
            case EPSILON -> noise;
            case SAMPLE -> x0;
            case V_PREDICTION -> {
                NDArray[] c = coefficients(x0.getManager(), x0, timesteps);
                yield noise.mul(c[0]).sub(x0.mul(c[1]));
            }
        };
    }

    /** (sqrt(alpha_bar_t), sqrt(1 - alpha_bar_t)) shaped (B, 1, 1, ...) to broadcast over x. */
    private NDArray[] coefficients(NDManager manager, NDArray x, int[] timesteps) {
        int b = timesteps.length;
        float[] a = new float[b];
        float[] s = new float[b];
        for (int i = 0; i < b; i++) {
            float ab = schedule.alphaBar(timesteps[i]);
            a[i] = (float) Math.sqrt(ab);
            s[i] = (float) Math.sqrt(1 - ab);
        }
        long[] shape = new long[x.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = b;
        Shape broadcast = new Shape(shape);
        return new NDArray[] {
            Tensors.owned(manager, a, broadcast).toType(x.getDataType(), false),
            Tensors.owned(manager, s, broadcast).toType(x.getDataType(), false)
        };
    }
}
