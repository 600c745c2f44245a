package io.cddpm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tensors made from Java data, and values copied into tensors, must not depend on Java memory: each
 * case keeps a second tensor sharing the memory (a view), closes the array that made it, lets the GC
 * free what it may and reuses that memory, then reads the view. With DJL's own create / set the view
 * reads freed memory here (garbage, or a SIGSEGV that kills the test JVM), see {@link Tensors}.
 */
class TensorsTest {
    private static final int N = 1 << 18; // 1 MiB of floats

    @BeforeAll
    static void engine() {
        Engines.pytorch();
    }

    @Test
    void aViewOfAnArrayMadeFromJavaDataOutlivesIt() {
        float[] values = pattern(7f);
        assertAViewOutlivesItsSource(values, sub -> Tensors.owned(sub, values, new Shape(N)));
    }

    @Test
    void aViewOfACopyTargetOutlivesIt() {
        float[] values = pattern(3f);
        assertAViewOutlivesItsSource(values, sub -> {
            NDArray target = sub.zeros(new Shape(N));
            Tensors.copyInto(target, values);
            return target;
        });
    }

    /** A reshape of what make builds in a sub-manager, kept after that manager closes, reads values while freed memory is reused. */
    private static void assertAViewOutlivesItsSource(float[] values, java.util.function.Function<NDManager, NDArray> make) {
        try (NDManager root = NDManager.newBaseManager()) {
            NDArray view;
            try (NDManager sub = root.newSubManager()) {
                view = make.apply(sub).reshape(512, 512);
                view.attach(root);
            }
            churn();
            assertArrayEquals(values, view.toFloatArray());
        }
    }

    @Test
    void bytesOfEveryTypeAreCopied() {
        try (NDManager m = NDManager.newBaseManager()) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 * 8).order(ByteOrder.nativeOrder());
            for (long v = 0; v < 4; v++) {
                b.putLong(v * 10);
            }
            b.rewind();
            NDArray a = Tensors.owned(m, b, new Shape(2, 2), DataType.INT64);
            b.putLong(0, 99); // the tensor holds its own copy
            assertArrayEquals(new long[] {0, 10, 20, 30}, a.toLongArray());
            assertArrayEquals(new long[] {4, 5}, Tensors.owned(m, new long[] {4, 5}).toLongArray());
            assertEquals(6L, Tensors.owned(m, 6L).getLong());
            assertArrayEquals(new float[] {1, 2}, Tensors.owned(m, new float[] {1, 2}).toFloatArray());
        }
    }

    @Test
    void copyIntoKeepsTheTargetItsGradientFlagAndConvertsTheType() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray weight = m.randomNormal(new Shape(2, 3));
            weight.setRequiresGradient(true);
            NDArray source = Tensors.owned(m, new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)).toType(DataType.FLOAT64, false);
            Tensors.copyInto(weight, source);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, weight.toFloatArray());
            assertEquals(DataType.FLOAT32, weight.getDataType());
            assertTrue(weight.hasGradient(), "still a parameter that requires gradients");
            // and autograd still flows into it
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(weight.mul(Tensors.scalar(m, 2.0, DataType.FLOAT32)).sum());
            }
            assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, weight.getGradient().toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> Tensors.copyInto(weight, m.zeros(new Shape(3, 2))));
            assertThrows(IllegalArgumentException.class, () -> Tensors.copyInto(weight, new float[5]));
        }
    }

    @Test
    void aSavedScalarOutlivesTheForwardPass() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(4));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y;
                try (NDManager forward = m.newSubManager()) {
                    y = x.mul(Tensors.scalar(forward, 0.5, DataType.FLOAT32)).sum();
                    y.attach(m);
                }
                churn();
                gc.backward(y);
            }
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, x.getGradient().toFloatArray());
        }
    }

    /** Documents the DJL behaviour Tensors works around: toType with copy = true shares memory when the type is unchanged. */
    @Test
    void djlToTypeWithCopyDoesNotCopy() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.zeros(new Shape(3));
            NDArray b = a.toType(DataType.FLOAT32, true);
            a.addi(1);
            assertArrayEquals(new float[] {1, 1, 1}, b.toFloatArray(),
                    "DJL's toType(copy = true) now copies: Tensors' javadoc and docs/native-memory.md can drop this trap");
            NDArray same = a.toType(DataType.FLOAT32, false);
            assertSame(a, same);
        }
    }

    private static float[] pattern(float base) {
        float[] v = new float[N];
        for (int i = 0; i < N; i++) {
            v[i] = base + i % 97;
        }
        return v;
    }

    /** Lets the GC run the cleaners of unreachable direct buffers, then hands freed memory out again, overwritten. */
    private static void churn() {
        List<ByteBuffer> reuse = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 8; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4 * N);
                byte[] junk = new byte[4 * N];
                Arrays.fill(junk, (byte) 0x5a);
                b.put(junk);
                reuse.add(b);
            }
        }
        reuse.clear();
    }
}
