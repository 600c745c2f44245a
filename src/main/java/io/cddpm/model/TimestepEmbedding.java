package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' get_timestep_embedding with flip_sin_to_cos = true and downscale_freq_shift = 0:
 * for half = dim / 2, freq_i = exp(-ln(10000) i / half), embedding = [cos(t freq), sin(t freq)].
 */
public final class TimestepEmbedding {
    private TimestepEmbedding() {}

    /** (B) timesteps -> (B, dim) float32 embedding. */
    public static NDArray sinusoidal(NDArray timesteps, int dim) {
        int half = dim / 2;
        NDArray i = timesteps.getManager().arange(0, half, 1, DataType.FLOAT32, timesteps.getDevice());
        NDArray freqs = i.mul(-Math.log(10000.0) / half).exp();
        NDArray args = timesteps.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(freqs.reshape(1, -1));
        NDArray emb = args.cos().concat(args.sin(), 1);
        if (dim % 2 == 1) {
            emb = emb.concat(timesteps.getManager().zeros(new Shape(emb.getShape().get(0), 1)), 1);
        }
        return emb;
    }
}
