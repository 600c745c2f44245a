package io.cddpm.model;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * The multi-head plumbing that self- and cross-attention share: splitting projections into heads,
 * scaled dot-product attention, merging the heads, and the output projection back onto the image
 * with its residual. Intermediates are closed once consumed, as in {@link ResnetBlock}.
 */
final class MultiHead {
    private final int channels;
    private final int heads;
    private final int headDim;
    private final boolean normalizeQueriesAndKeys;

    /**
     * @param normalizeQueriesAndKeys scale every query and key to unit RMS per head before the dot
     *     product (QK-norm, Dehghani et al. 2023), which bounds the logits to +-sqrt(d) however large
     *     the projections or the tokens grow; without it, attention is diffusers' exactly
     */
    MultiHead(int channels, int headDim, boolean normalizeQueriesAndKeys, String what) {
        if (channels % headDim != 0) {
            throw new IllegalArgumentException(what + ": " + channels + " channels not divisible by head dim " + headDim);
        }
        this.channels = channels;
        this.headDim = headDim;
        this.heads = channels / headDim;
        this.normalizeQueriesAndKeys = normalizeQueriesAndKeys;
    }

    /** (B, C, H, W) -> (B, H*W, C): the image's positions as tokens. */
    static NDArray positions(NDArray image) {
        Shape s = image.getShape();
        NDArray flat = image.reshape(s.get(0), s.get(1), s.get(2) * s.get(3));
        NDArray out = flat.transpose(0, 2, 1);
        flat.close();
        return out;
    }

    /**
     * softmax(q k^T / sqrt(d)) v per head over projections (B, Lq, C) and (B, Lk, C), which are closed;
     * returns (B, Lq, C). libtorch's flash attention when the native kernels are loaded.
     */
    NDArray attend(NDArray ql, NDArray kl, NDArray vl) {
        NDArray q = normalized(split(ql));
        NDArray k = normalized(split(kl));
        NDArray v = split(vl);
        close(ql, kl, vl);
        NDArray attended;
        if (TorchKernels.available()) {
            attended = TorchKernels.attention(q, k, v); // (B, heads, Lq, d)
        } else {
            // the scale as a libtorch scalar: DJL's muli(Number) frees its Java-backed one while the backward still reads it
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(Tensors.scalar(q.getManager(), 1.0 / Math.sqrt(headDim), q.getDataType()));
            attended = scores.softmax(-1).matMul(v);
            scores.close();
        }
        close(q, k, v);
        NDArray swapped = attended.transpose(0, 2, 1, 3);
        NDArray merged = swapped.reshape(swapped.getShape().get(0), swapped.getShape().get(1), channels);
        close(attended, swapped);
        return merged;
    }

    /** x + toOut(merged) with the result put back in x's (B, C, H, W) layout; merged is closed. */
    static NDArray residual(Block toOut, ParameterStore ps, NDArray merged, NDArray x, boolean training) {
        NDArray o = ResnetBlock.one(toOut, ps, merged, training);
        merged.close();
        NDArray back = o.transpose(0, 2, 1);
        NDArray image = back.reshape(x.getShape());
        NDArray out = image.add(x);
        close(o, back, image);
        return out;
    }

    /** x / rms(x) over the head dimension, when QK-norm is on (x is closed then). */
    private NDArray normalized(NDArray x) {
        if (!normalizeQueriesAndKeys) {
            return x;
        }
        NDArray squares = x.square();
        NDArray meanSquare = squares.mean(new int[] {-1}, true);
        NDArray rms = meanSquare.add(1e-6f).sqrt();
        NDArray out = x.div(rms);
        close(x, squares, meanSquare, rms);
        return out;
    }

    /** (B, L, C) -> (B, heads, L, d). */
    private NDArray split(NDArray t) {
        Shape s = t.getShape();
        NDArray r = t.reshape(s.get(0), s.get(1), heads, headDim);
        NDArray out = r.transpose(0, 2, 1, 3);
        r.close();
        return out;
    }

    static void close(NDArray... arrays) {
        for (NDArray a : arrays) {
            a.close();
        }
    }
}
