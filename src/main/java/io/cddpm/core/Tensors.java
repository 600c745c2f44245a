package io.cddpm.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The only way cddpm turns Java data into tensors and replaces a tensor's values, so that no tensor
 * ever points into memory the JVM may free.
 *
 * <p>DJL's PyTorch engine lets a tensor's storage live in a Java direct buffer in three places:
 * {@link NDManager#create} wraps the buffer ({@code torch::from_blob}); {@link NDArray#set(java.nio.Buffer)}
 * swaps the tensor's storage for one ({@code set_}); and {@code toType}/{@code toDevice} with
 * {@code copy = true} do not copy when nothing changes (DJL's JNI drops the flag), so the "copy" shares
 * that storage. The buffer is kept alive only by a field of the one Java array object that made it;
 * once that array is closed and the garbage collector runs the buffer's cleaner, the memory goes back
 * to malloc while every other tensor sharing it (a view, a reshape, a slice, a tensor autograd saved
 * for the backward pass, a second handle) still points at it. What happens next depends on the GC's
 * timing: reads of garbage, a SIGSEGV when the pages were unmapped, heap corruption when something
 * writes through it (the optimizer's in-place update did, and crashed resumed runs in at::_ops::clone
 * or with glibc's "corrupted double-linked list"). See docs/native-memory.md.
 *
 * <p>So arrays made from Java data are copied into libtorch's own memory before anyone sees them
 * ({@link #owned}), values are replaced in place by copying into the target's existing storage
 * ({@link #copyInto}, PyTorch's {@code load_state_dict}), and a scalar that an autograd graph may save
 * is made by libtorch ({@link #scalar}), not through DJL's {@code mul(Number)}, which wraps a Java
 * buffer and closes it right after the operation. ArchitectureTest keeps every other class off the
 * DJL calls this replaces.
 */
public final class Tensors {
    private Tensors() {}

    /** A tensor holding {@code data} in libtorch's memory, in {@code manager}. */
    public static NDArray owned(NDManager manager, float[] data, Shape shape) {
        return own(manager.create(data, shape));
    }

    /** A 1-d tensor holding {@code data} in libtorch's memory, in {@code manager}. */
    public static NDArray owned(NDManager manager, float[] data) {
        return own(manager.create(data));
    }

    /** A 1-d int64 tensor holding {@code data} in libtorch's memory, in {@code manager}. */
    public static NDArray owned(NDManager manager, long[] data) {
        return own(manager.create(data));
    }

    /** A 0-d int64 tensor holding {@code value} in libtorch's memory, in {@code manager}. */
    public static NDArray owned(NDManager manager, long value) {
        return own(manager.create(value));
    }

    /** A tensor of the given type holding the bytes of {@code data} (native order) in libtorch's memory. */
    public static NDArray owned(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
        return own(manager.create(data, shape, type));
    }

    /** The arrays DJL decoded from a stream ({@code .npz}, {@code .npy}, DJL's own format), each copied into libtorch's memory. */
    public static NDList decoded(NDManager manager, InputStream in) throws IOException {
        NDList javaBacked = NDList.decode(manager, in);
        NDList out = new NDList(javaBacked.size());
        for (NDArray a : javaBacked) {
            out.add(own(a));
        }
        return out;
    }

    /** A 0-d tensor made by libtorch (safe for an autograd graph to keep), of the given type. */
    public static NDArray scalar(NDManager manager, double value, DataType type) {
        return manager.full(new Shape(), (float) value, type);
    }

    /** The Java-backed array copied into libtorch's memory (a clone), and the Java-backed one closed. */
    private static NDArray own(NDArray javaBacked) {
        try (javaBacked) {
            return javaBacked.duplicate();
        }
    }

    /**
     * Replaces the values of {@code target} with those of {@code source} (same shape, converted to the
     * target's type), in place and outside autograd, as PyTorch's {@code load_state_dict}: the target
     * keeps its own storage, its object and its {@code requires_grad}; nothing of {@code source} is kept.
     */
    public static void copyInto(NDArray target, NDArray source) {
        if (!target.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException("cannot copy an array of shape " + source.getShape() + " into one of shape "
                    + target.getShape());
        }
        NDArray converted = source.getDataType() == target.getDataType() ? source : source.toType(target.getDataType(), false);
        boolean grad = JniUtils.isGradMode();
        try {
            if (grad) {
                JniUtils.setGradMode(false);
            }
            target.set(new NDIndex("..."), converted);
        } finally {
            if (grad) {
                JniUtils.setGradMode(true);
            }
            if (converted != source) {
                converted.close();
            }
        }
    }

    /** {@link #copyInto(NDArray, NDArray)} from values in row-major order. */
    public static void copyInto(NDArray target, float[] values) {
        if (values.length != target.size()) {
            throw new IllegalArgumentException(values.length + " values for an array of shape " + target.getShape());
        }
        try (NDManager scope = target.getManager().newSubManager()) {
            copyInto(target, scope.create(values, target.getShape()));
        }
    }
}
