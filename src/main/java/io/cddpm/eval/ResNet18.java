package io.cddpm.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's ResNet18 with the course evaluator's head (fc = Linear(512, 24) + Sigmoid), built
 * so that its parameter names map one to one onto torchvision's state-dict keys ("conv1.weight",
 * "layer2.0.downsample.1.running_var", "fc.0.bias", ...; see {@link TorchNames}). Input (B, 3, H, W)
 * in [-1, 1]; images smaller than 64 are upsampled (bilinear) to 64 first, as the course did.
 */
public final class ResNet18 extends AbstractBlock {
    public static final int INPUT_SIZE = 64;
    private final Block conv1;
    private final Block bn1;
    private final List<Block> blocks = new ArrayList<>();
    private final Block fc;

    public ResNet18(int classes) {
        conv1 = addChildBlock("conv1", conv(64, 7, 2, 3));
        bn1 = addChildBlock("bn1", bn());
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int layer = 0; layer < 4; layer++) {
            int out = widths[layer];
            for (int b = 0; b < 2; b++) {
                int stride = layer > 0 && b == 0 ? 2 : 1;
                blocks.add(addChildBlock("layer" + (layer + 1) + "." + b, new BasicBlock(b == 0 ? in : out, out, stride)));
            }
            in = out;
        }
        fc = addChildBlock("fc.0", Linear.builder().setUnits(classes).build());
    }

    static Conv2d conv(int out, int k, int stride, int pad) {
        return Conv2d.builder().setFilters(out).setKernelShape(new Shape(k, k)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad)).optBias(false).build();
    }

    static BatchNorm bn() {
        return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
    }

    static NDArray one(Block b, ParameterStore ps, NDArray x, boolean training) {
        return b.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(logits(ps, inputs.singletonOrThrow(), training).getNDArrayInternal().sigmoid());
    }

    /** The head's pre-sigmoid outputs (B, classes): what a numerically stable BCE loss trains on. */
    public NDArray logits(ParameterStore ps, NDArray input, boolean training) {
        NDArray x = input;
        if (x.getShape().get(2) != INPUT_SIZE || x.getShape().get(3) != INPUT_SIZE) {
            x = x.getNDArrayInternal().interpolation(new long[] {INPUT_SIZE, INPUT_SIZE}, 1, false);
        }
        x = one(bn1, ps, one(conv1, ps, x, training), training).getNDArrayInternal().relu();
        x = x.getNDArrayInternal().maxPool(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
        for (Block b : blocks) {
            x = one(b, ps, x, training);
        }
        x = x.reshape(x.getShape().get(0), x.getShape().get(1), -1).mean(new int[] {2}); // adaptive average pool to 1x1
        return one(fc, ps, x, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), 24)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long n = inputShapes[0].get(0);
        conv1.initialize(manager, dataType, new Shape(n, 3, INPUT_SIZE, INPUT_SIZE));
        bn1.initialize(manager, dataType, new Shape(n, 64, 32, 32));
        long size = 16;
        int in = 64;
        for (Block b : blocks) {
            BasicBlock bb = (BasicBlock) b;
            bb.initialize(manager, dataType, new Shape(n, in, size, size));
            if (bb.stride == 2) {
                size /= 2;
            }
            in = bb.out;
        }
        fc.initialize(manager, dataType, new Shape(n, 512));
    }

    /** torchvision's BasicBlock: conv-bn-relu-conv-bn, plus the input (1x1 conv + bn when the shape changes), relu. */
    static final class BasicBlock extends AbstractBlock {
        final int in;
        final int out;
        final int stride;
        private final Block conv1;
        private final Block bn1;
        private final Block conv2;
        private final Block bn2;
        private final Block downConv;
        private final Block downBn;

        BasicBlock(int in, int out, int stride) {
            this.in = in;
            this.out = out;
            this.stride = stride;
            conv1 = addChildBlock("conv1", conv(out, 3, stride, 1));
            bn1 = addChildBlock("bn1", bn());
            conv2 = addChildBlock("conv2", conv(out, 3, 1, 1));
            bn2 = addChildBlock("bn2", bn());
            boolean down = stride != 1 || in != out;
            downConv = down ? addChildBlock("downsample.0", conv(out, 1, stride, 0)) : null;
            downBn = down ? addChildBlock("downsample.1", bn()) : null;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray h = one(bn1, ps, one(conv1, ps, x, training), training).getNDArrayInternal().relu();
            h = one(bn2, ps, one(conv2, ps, h, training), training);
            NDArray skip = downConv == null ? x : one(downBn, ps, one(downConv, ps, x, training), training);
            return new NDList(h.add(skip).getNDArrayInternal().relu());
        }

        @Override
        public Shape[] getOutputShapes(Shape[] s) {
            return new Shape[] {new Shape(s[0].get(0), out, s[0].get(2) / stride, s[0].get(3) / stride)};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... s) {
            Shape x = s[0];
            Shape o = new Shape(x.get(0), out, x.get(2) / stride, x.get(3) / stride);
            conv1.initialize(manager, dataType, x);
            bn1.initialize(manager, dataType, o);
            conv2.initialize(manager, dataType, o);
            bn2.initialize(manager, dataType, o);
            if (downConv != null) {
                downConv.initialize(manager, dataType, x);
                downBn.initialize(manager, dataType, o);
            }
        }
    }
}
