package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;

/** Factories for the leaf layers the networks are made of, with PyTorch's conventions. */
public final class Layers {
    private Layers() {}

    /** A k x k convolution with {@code out} filters, stride s and padding p (bias on). */
    public static Conv2d conv(int out, int kernel, int stride, int padding) {
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .build();
    }

    /** A fully connected layer with bias. */
    public static Linear linear(int out) {
        return Linear.builder().setUnits(out).build();
    }

    /** SiLU (swish with beta 1): x * sigmoid(x), one fused kernel when the native kernels are loaded. */
    public static NDArray silu(NDArray x) {
        if (TorchKernels.available()) {
            return TorchKernels.silu(x);
        }
        return x.mul(x.getNDArrayInternal().sigmoid());
    }
}
