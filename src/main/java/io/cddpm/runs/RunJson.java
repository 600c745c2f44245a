package io.cddpm.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cddpm.core.AtomicFiles;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON lists of a run folder ({@code {"<key>": [...]}}): unknown extra fields are ignored, so
 * writers may add more; a malformed file is an {@link InvalidInputException} naming it; writes are
 * atomic.
 */
final class RunJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private RunJson() {}

    static void write(Path file, String key, List<?> records) {
        try {
            AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(Map.of(key, records)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + file, e);
        }
    }

    static <T> List<T> read(Path file, String key, Class<T> type) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        JsonNode list = root == null ? null : root.get(key);
        if (list == null || !list.isArray()) {
            throw new InvalidInputException(file + ": expected {\"" + key + "\": [...]}");
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            try {
                out.add(JSON.treeToValue(list.get(i), type));
            } catch (JsonProcessingException e) {
                throw new InvalidInputException(file + ": " + key + "[" + i + "]: " + e.getOriginalMessage(), e);
            }
        }
        return out;
    }
}
