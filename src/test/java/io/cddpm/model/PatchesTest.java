package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Space-to-depth and back: shapes, PyTorch's pixel_unshuffle channel order, and an exact round trip. */
class PatchesTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void patchesHaveTheirShapeAndComeBackExactly(int p) {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
            NDArray patches = Patches.patchify(x, p);
            assertEquals(new Shape(2, 3 * p * p, 64 / p, 64 / p), patches.getShape());
            NDArray back = Patches.unpatchify(patches, p);
            assertEquals(x.getShape(), back.getShape());
            assertArrayEquals(x.toFloatArray(), back.toFloatArray(), 0f, "the round trip is not exact");
        }
    }

    /** Channel c p^2 + i p + j at (y, x) holds pixel (p y + i, p x + j) of channel c, as torch.nn.functional.pixel_unshuffle. */
    @Test
    void channelOrderIsPixelUnshuffles() {
        Engines.pytorch();
        int p = 2;
        int c = 3;
        int h = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            float[] values = new float[c * h * h];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            float[] patches = Patches.patchify(m.create(values, new Shape(1, c, h, h)), p).toFloatArray();
            int side = h / p;
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < p; j++) {
                        for (int y = 0; y < side; y++) {
                            for (int x = 0; x < side; x++) {
                                float expected = values[(ch * h + p * y + i) * h + p * x + j];
                                float got = patches[((ch * p * p + i * p + j) * side + y) * side + x];
                                assertEquals(expected, got, 0f, "channel " + ch + " offset (" + i + ", " + j + ") at (" + y + ", " + x + ")");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void sizesThatAreNoWholeNumberOfPatchesAreRefused() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> Patches.patchify(m.zeros(new Shape(1, 3, 6, 6)), 4));
            assertThrows(IllegalArgumentException.class, () -> Patches.unpatchify(m.zeros(new Shape(1, 6, 4, 4)), 2));
        }
    }
}
