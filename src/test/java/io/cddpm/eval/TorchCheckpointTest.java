package io.cddpm.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cddpm.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both torch.save formats against the values PyTorch itself wrote (small_expected.json). */
class TorchCheckpointTest {
    private static Path resource(String name) throws Exception {
        return Path.of(TorchCheckpointTest.class.getResource("/torch/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"small_zip.pth", "small_legacy.pth"})
    void everyTensorAndTheMetadataMatch(String file) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(resource("small_expected.json").toFile());
        Object root = TorchCheckpoint.read(resource(file));
        Map<?, ?> map = (Map<?, ?>) root;
        Map<?, ?> model = (Map<?, ?>) map.get("model");
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("model").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            TorchCheckpoint.Tensor t = (TorchCheckpoint.Tensor) model.get(e.getKey());
            assertEquals(e.getValue().get("dtype").asText(), t.dtype(), e.getKey());
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).asLong();
            }
            assertArrayEquals(shape, t.shape(), e.getKey());
            double[] values = new double[e.getValue().get("values").size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = e.getValue().get("values").get(i).asDouble();
            }
            assertArrayEquals(values, t.values(), 0.0, file + " " + e.getKey());
        }
        Map<?, ?> meta = (Map<?, ?>) map.get("meta");
        assertEquals(5, ((Number) meta.get("epoch")).intValue());
        assertEquals("fixture", meta.get("name"));
        assertEquals(1e-4, ((Number) meta.get("lr")).doubleValue(), 1e-12);
    }

    @Test
    void halfPrecisionConversion() {
        assertEquals(65504f, TorchCheckpoint.halfToFloat((short) 0x7bff));
        assertEquals(-1f, TorchCheckpoint.halfToFloat((short) 0xbc00));
        assertEquals(0.5f, TorchCheckpoint.halfToFloat((short) 0x3800));
    }

    @Test
    void garbageIsRefusedByName(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("broken.pth");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5});
        InvalidInputException e = Assertions.assertThrows(InvalidInputException.class, () -> TorchCheckpoint.read(bad));
        assertTrue(e.getMessage().contains("broken.pth"), e.getMessage());
    }
}
