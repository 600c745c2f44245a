package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Engines;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * BF16 in safetensors is handled in Java: DJL's PyTorch engine aborts the JVM ("terminate called
 * without an active exception") when it converts an NDArray to or from bf16, which a bf16 model
 * package or evaluator would otherwise do.
 */
class SafetensorsBf16Test {
    @Test
    void roundsToNearestEvenAndWidensExactly() {
        float[] values = {1.0f, -2.5f, 0f, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000),
                Float.intBitsToFloat(0x3F80C000), Float.POSITIVE_INFINITY, 65504f};
        byte[] half = Safetensors.bf16(values);
        float[] back = new float[values.length];
        var widened = Safetensors.widenBf16(half, 0, values.length);
        for (int i = 0; i < back.length; i++) {
            back[i] = widened.getFloat();
        }
        // ties go to even: 0x3F808000 (between 0x3F80 and 0x3F81) -> 0x3F80; 0x3F818000 -> 0x3F82; above a tie rounds up
        float[] expected = {1.0f, -2.5f, 0f, Float.intBitsToFloat(0x3F800000), Float.intBitsToFloat(0x3F820000),
                Float.intBitsToFloat(0x3F810000), Float.POSITIVE_INFINITY, 65536f};
        assertArrayEquals(expected, back);
        assertTrue(Float.isNaN(Safetensors.widenBf16(Safetensors.bf16(new float[] {Float.intBitsToFloat(0x7F800001)}), 0, 1).getFloat()),
                "a NaN whose payload is only in the low bits stays NaN (not infinity)");
    }

    @Test
    void aFloatFileStoredAsBf16ReadsBackAsFloat32WithinBf16Precision() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("w", m.create(new float[] {0.1f, -3.14159f, 1000.5f, 1e-8f}, new Shape(2, 2)));
            tensors.put("steps", m.create(new long[] {7L}));
            byte[] bytes = Safetensors.toBytes(tensors, Map.of("format", "t"), true);
            byte[] full = Safetensors.toBytes(tensors, Map.of("format", "t"));
            assertTrue(bytes.length < full.length, "bf16 stores 2 bytes per float: " + bytes.length + " vs " + full.length);
            Safetensors.Contents back = Safetensors.read(bytes, m, "mem");
            NDArray w = back.tensors().get("w");
            assertEquals(DataType.FLOAT32, w.getDataType());
            assertEquals(new Shape(2, 2), w.getShape());
            float[] got = w.toFloatArray();
            float[] want = {0.1f, -3.14159f, 1000.5f, 1e-8f};
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], Math.abs(want[i]) / 128, "element " + i);
            }
            assertEquals(DataType.INT64, back.tensors().get("steps").getDataType());
            assertEquals(7L, back.tensors().get("steps").toLongArray()[0]);
            assertEquals("t", back.metadata().get("format"));
        }
    }
}
