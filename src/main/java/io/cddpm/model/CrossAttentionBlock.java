package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Cross-attention from an image to a set of condition tokens, as the attn2 of diffusers'
 * BasicTransformerBlock: GroupNorm of the image, queries from its H*W positions, keys and values
 * from the tokens (no bias, so a zero token, a label that is absent, has key and value 0 and only
 * takes a share of the softmax), multi-head scaled dot-product attention, output projection,
 * residual. Inputs (image (B, C, H, W), tokens (B, N, D)); output (B, C, H, W).
 */
public final class CrossAttentionBlock extends AbstractBlock {
    private final int channels;
    private final int heads;
    private final int headDim;
    private final Block groupNorm;
    private final Block toQ;
    private final Block toK;
    private final Block toV;
    private final Block toOut;

    public CrossAttentionBlock(int channels, int headDim, int groups, float eps) {
        if (channels % headDim != 0) {
            throw new IllegalArgumentException("cross-attention: " + channels + " channels not divisible by head dim " + headDim);
        }
        this.channels = channels;
        this.headDim = headDim;
        this.heads = channels / headDim;
        groupNorm = addChildBlock("group_norm", new GroupNorm(groups, channels, eps));
        toQ = addChildBlock("to_q", Layers.linear(channels));
        toK = addChildBlock("to_k", Linear.builder().setUnits(channels).optBias(false).build());
        toV = addChildBlock("to_v", Linear.builder().setUnits(channels).optBias(false).build());
        toOut = addChildBlock("to_out.0", Layers.linear(channels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray tokens = inputs.get(1);
        Shape s = x.getShape();
        long b = s.get(0);
        long hw = s.get(2) * s.get(3);
        long n = tokens.getShape().get(1);
        NDArray normed = ResnetBlock.one(groupNorm, ps, x, training);
        NDArray flat = normed.reshape(b, channels, hw);
        NDArray h = flat.transpose(0, 2, 1);
        NDArray ql = ResnetBlock.one(toQ, ps, h, training);
        NDArray kl = ResnetBlock.one(toK, ps, tokens, training);
        NDArray vl = ResnetBlock.one(toV, ps, tokens, training);
        close(normed, flat, h);
        NDArray q = split(ql, b, hw);
        NDArray k = split(kl, b, n);
        NDArray v = split(vl, b, n);
        NDArray attended = attend(q, k, v); // (B, heads, HW, d)
        close(ql, kl, vl, q, k, v);
        NDArray merged4 = attended.transpose(0, 2, 1, 3);
        NDArray merged = merged4.reshape(b, hw, channels);
        close(attended, merged4);
        NDArray o = ResnetBlock.one(toOut, ps, merged, training);
        merged.close();
        NDArray back = o.transpose(0, 2, 1);
        NDArray image = back.reshape(s);
        NDArray out = image.add(x);
        close(o, back, image);
        return new NDList(out);
    }

    private NDArray attend(NDArray q, NDArray k, NDArray v) {
        if (TorchKernels.available()) {
            return TorchKernels.attention(q, k, v);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(1.0 / Math.sqrt(headDim));
        return scores.softmax(-1).matMul(v);
    }

    private NDArray split(NDArray t, long b, long length) {
        NDArray r = t.reshape(b, length, heads, headDim);
        NDArray out = r.transpose(0, 2, 1, 3);
        r.close();
        return out;
    }

    private static void close(NDArray... arrays) {
        for (NDArray a : arrays) {
            a.close();
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** Input shapes: the image (B, C, H, W) and the tokens (B, N, D). */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        groupNorm.initialize(manager, dataType, x);
        Shape positions = new Shape(x.get(0), x.get(2) * x.get(3), channels);
        toQ.initialize(manager, dataType, positions);
        toK.initialize(manager, dataType, inputShapes[1]);
        toV.initialize(manager, dataType, inputShapes[1]);
        toOut.initialize(manager, dataType, positions);
    }
}
