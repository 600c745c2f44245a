package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Spatial self-attention as diffusers' Attention in a UNet2D block: GroupNorm, q/k/v projections,
 * multi-head scaled dot-product attention over the H*W positions (head dim fixed, heads = C / dim),
 * output projection, residual. Input and output (B, C, H, W).
 */
public final class AttentionBlock extends AbstractBlock {
    private final int channels;
    private final int heads;
    private final int headDim;
    private final Block groupNorm;
    private final Block toQ;
    private final Block toK;
    private final Block toV;
    private final Block toOut;

    public AttentionBlock(int channels, int headDim, int groups, float eps) {
        if (channels % headDim != 0) {
            throw new IllegalArgumentException("attention: " + channels + " channels not divisible by head dim " + headDim);
        }
        this.channels = channels;
        this.headDim = headDim;
        this.heads = channels / headDim;
        groupNorm = addChildBlock("group_norm", new GroupNorm(groups, channels, eps));
        toQ = addChildBlock("to_q", Layers.linear(channels));
        toK = addChildBlock("to_k", Layers.linear(channels));
        toV = addChildBlock("to_v", Layers.linear(channels));
        toOut = addChildBlock("to_out.0", Layers.linear(channels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        long b = s.get(0);
        long hw = s.get(2) * s.get(3);
        // intermediates (and the views on them) are closed once consumed, as in ResnetBlock
        NDArray normed = ResnetBlock.one(groupNorm, ps, x, training);
        NDArray flat = normed.reshape(b, channels, hw);
        NDArray h = flat.transpose(0, 2, 1);
        NDArray ql = ResnetBlock.one(toQ, ps, h, training);
        NDArray kl = ResnetBlock.one(toK, ps, h, training);
        NDArray vl = ResnetBlock.one(toV, ps, h, training);
        close(normed, flat, h);
        NDArray q = split(ql, b, hw);
        NDArray k = split(kl, b, hw);
        NDArray v = split(vl, b, hw);
        NDArray attended = attend(q, k, v); // (B, heads, HW, d)
        close(ql, kl, vl, q, k, v);
        NDArray heads = attended.transpose(0, 2, 1, 3);
        NDArray merged = heads.reshape(b, hw, channels);
        close(attended, heads);
        NDArray o = ResnetBlock.one(toOut, ps, merged, training);
        merged.close();
        NDArray back = o.transpose(0, 2, 1);
        NDArray image = back.reshape(s);
        NDArray out = image.add(x);
        close(o, back, image);
        return new NDList(out);
    }

    /** softmax(q k^T / sqrt(d)) v: libtorch's flash attention when the native kernels are loaded. */
    private NDArray attend(NDArray q, NDArray k, NDArray v) {
        if (TorchKernels.available()) {
            return TorchKernels.attention(q, k, v);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(1.0 / Math.sqrt(headDim));
        return scores.softmax(-1).matMul(v);
    }

    private static void close(NDArray... arrays) {
        for (NDArray a : arrays) {
            a.close();
        }
    }

    private NDArray split(NDArray t, long b, long hw) {
        NDArray r = t.reshape(b, hw, heads, headDim);
        NDArray out = r.transpose(0, 2, 1, 3);
        r.close();
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        groupNorm.initialize(manager, dataType, x);
        Shape tokens = new Shape(x.get(0), x.get(2) * x.get(3), channels);
        toQ.initialize(manager, dataType, tokens);
        toK.initialize(manager, dataType, tokens);
        toV.initialize(manager, dataType, tokens);
        toOut.initialize(manager, dataType, tokens);
    }
}
