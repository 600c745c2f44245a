package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GroupNorm over (N, C, ...) as torch.nn.GroupNorm: statistics per sample and group of C/G channels,
 * then a per-channel affine. libtorch's fused group norm when the native kernels are loaded;
 * otherwise (DJL has no group norm) a reshape to (N, G, rest) and the layer norm (no affine) over the
 * last axis, which normalises exactly each (sample, group), then the affine.
 */
public final class GroupNorm extends AbstractBlock {
    private final int groups;
    private final int channels;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm(int groups, int channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + channels + " channels not divisible by " + groups + " groups");
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels)).optInitializer(Initializer.ONES).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels)).optInitializer(Initializer.ZEROS).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (TorchKernels.available()) {
            return new NDList(TorchKernels.groupNorm(x, groups,
                    ps.getValue(weight, x.getDevice(), training), ps.getValue(bias, x.getDevice(), training), eps));
        }
        Shape shape = x.getShape();
        long n = shape.get(0);
        NDArray grouped = x.reshape(n, groups, -1);
        Shape normalized = new Shape(grouped.getShape().get(2));
        NDArray[] unit = unitAffine(grouped);
        NDArray normed = grouped.getNDArrayInternal().layerNorm(grouped, normalized, unit[0], unit[1], eps).singletonOrThrow();
        long[] affineShape = new long[shape.dimension()];
        Arrays.fill(affineShape, 1);
        affineShape[1] = channels;
        NDArray gamma = ps.getValue(weight, x.getDevice(), training).reshape(new Shape(affineShape));
        NDArray beta = ps.getValue(bias, x.getDevice(), training).reshape(new Shape(affineShape));
        return new NDList(normed.reshape(shape).mul(gamma).add(beta));
    }

    /**
     * The native layer norm needs an affine; an identity one (ones, zeros) of the normalised size,
     * cached per size and type in the parameters' long-lived manager.
     */
    private NDArray[] unitAffine(NDArray grouped) {
        long size = grouped.getShape().get(2);
        String key = size + "/" + grouped.getDataType() + "/" + grouped.getDevice();
        return unitCache.computeIfAbsent(key, k -> {
            NDManager owner = weight.getArray().getManager();
            NDArray ones = owner.ones(new Shape(size), grouped.getDataType(), grouped.getDevice());
            NDArray zeros = owner.zeros(new Shape(size), grouped.getDataType(), grouped.getDevice());
            return new NDArray[] {ones, zeros};
        });
    }

    private final Map<String, NDArray[]> unitCache = new ConcurrentHashMap<>();

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {}
}
