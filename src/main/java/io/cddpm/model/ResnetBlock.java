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
 * diffusers' ResnetBlock2D ("default" time-embedding mode): norm1 -> SiLU -> conv1 -> + Linear(SiLU(temb))
 * -> norm2 -> SiLU -> conv2, plus the input (through a 1x1 conv when the channel count changes).
 * Inputs: (x (B, in, H, W), temb (B, T)); output (B, out, H, W).
 */
public final class ResnetBlock extends AbstractBlock {
    private final int in;
    private final int out;
    private final int tembChannels;
    private final Block norm1;
    private final Block conv1;
    private final Block timeEmbProj;
    private final Block norm2;
    private final Block conv2;
    private final Block convShortcut;

    public ResnetBlock(int in, int out, int tembChannels, int groups, float eps) {
        this.in = in;
        this.out = out;
        this.tembChannels = tembChannels;
        norm1 = addChildBlock("norm1", new GroupNorm(groups, in, eps));
        conv1 = addChildBlock("conv1", Layers.conv(out, 3, 1, 1));
        timeEmbProj = addChildBlock("time_emb_proj", Layers.linear(out));
        norm2 = addChildBlock("norm2", new GroupNorm(groups, out, eps));
        conv2 = addChildBlock("conv2", Layers.conv(out, 3, 1, 1));
        convShortcut = in == out ? null : addChildBlock("conv_shortcut", Layers.conv(out, 1, 1, 0));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray temb = inputs.get(1);
        // Each intermediate is closed as soon as its consumer exists, as Python's reference counting
        // would free it; autograd keeps its own reference to whatever backward needs. Without this
        // every activation of the step stays alive until the step's scope ends.
        NDArray n = one(norm1, ps, x, training);
        NDArray h = Layers.silu(n);
        n.close();
        NDArray c = one(conv1, ps, h, training);
        h.close();
        NDArray st = Layers.silu(temb);
        NDArray t = one(timeEmbProj, ps, st, training);
        st.close();
        h = c.add(t.reshape(t.getShape().get(0), out, 1, 1));
        c.close();
        t.close();
        n = one(norm2, ps, h, training);
        h.close();
        h = Layers.silu(n);
        n.close();
        c = one(conv2, ps, h, training);
        h.close();
        NDArray skip = convShortcut == null ? x : one(convShortcut, ps, x, training);
        NDArray sum = skip.add(c);
        c.close();
        if (skip != x) {
            skip.close();
        }
        return new NDList(sum);
    }

    static NDArray one(Block block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), out, x.get(2), x.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape o = new Shape(x.get(0), out, x.get(2), x.get(3));
        norm1.initialize(manager, dataType, x);
        conv1.initialize(manager, dataType, x);
        timeEmbProj.initialize(manager, dataType, new Shape(x.get(0), tembChannels));
        norm2.initialize(manager, dataType, o);
        conv2.initialize(manager, dataType, o);
        if (convShortcut != null) {
            convShortcut.initialize(manager, dataType, x);
        }
    }

    public int inChannels() {
        return in;
    }
}
