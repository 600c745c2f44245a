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
    private final MultiHead multiHead;
    private final Block groupNorm;
    private final Block toQ;
    private final Block toK;
    private final Block toV;
    private final Block toOut;

    public AttentionBlock(int channels, int headDim, int groups, float eps) {
        this.channels = channels;
        this.multiHead = new MultiHead(channels, headDim, false, "attention");
        groupNorm = addChildBlock("group_norm", new GroupNorm(groups, channels, eps));
        toQ = addChildBlock("to_q", Layers.linear(channels));
        toK = addChildBlock("to_k", Layers.linear(channels));
        toV = addChildBlock("to_v", Layers.linear(channels));
        toOut = addChildBlock("to_out.0", Layers.linear(channels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray normed = ResnetBlock.one(groupNorm, ps, x, training);
        NDArray h = MultiHead.positions(normed);
        normed.close();
        NDArray ql = ResnetBlock.one(toQ, ps, h, training);
        NDArray kl = ResnetBlock.one(toK, ps, h, training);
        NDArray vl = ResnetBlock.one(toV, ps, h, training);
        h.close();
        return new NDList(MultiHead.residual(toOut, ps, multiHead.attend(ql, kl, vl), x, training));
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
