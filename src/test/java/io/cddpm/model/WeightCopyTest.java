package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.cddpm.core.Engines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 31, item 5: weights are loaded with the native {@code copy_} under no_grad (as load_state_dict
 * does) instead of DJL's NDArray.set, whose deprecated libtorch guard printed "AutoNonVariableTypeMode is
 * deprecated" on every sample and evaluate; the values are exactly those DJL's set gives.
 */
class WeightCopyTest {
    @BeforeAll
    static void engine() {
        Engines.pytorch();
    }

    @AfterEach
    void restore() {
        TorchKernels.useNative(true);
    }

    private static void copiesExactlyWhatSetGives() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(4, 3, 2);
            NDArray source = m.randomNormal(shape);
            NDArray viaSet = m.zeros(shape);
            viaSet.setRequiresGradient(true);
            viaSet.set(source.toByteBuffer());
            NDArray param = m.zeros(shape);
            param.setRequiresGradient(true); // a model parameter
            TorchKernels.copyInto(param, source);
            assertTrue(param.contentEquals(viaSet) && param.contentEquals(source), "the same values as NDArray.set");

            float[] values = source.mul(2).toFloatArray();
            TorchKernels.copyInto(param, values);
            assertTrue(param.contentEquals(source.mul(2)));

            NDArray wide = source.toType(DataType.FLOAT64, false);
            TorchKernels.copyInto(param, wide);
            assertTrue(param.contentEquals(source), "converted to the target's type");

            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = param.mul(param).sum();
                gc.backward(loss);
            }
            assertTrue(param.getGradient().contentEquals(source.mul(2)), "the copied parameter still trains");
            assertThrows(IllegalArgumentException.class, () -> TorchKernels.copyInto(param, m.zeros(new Shape(2))));
        }
    }

    @Test
    void nativeCopyGivesTheValuesOfNdArraySet() {
        if (TorchKernels.available()) {
            copiesExactlyWhatSetGives();
        }
    }

    @Test
    void withoutTheKernelsItIsNdArraySet() {
        TorchKernels.useNative(false);
        copiesExactlyWhatSetGives();
        assertEquals("djl", TorchKernels.implementation());
    }
}
