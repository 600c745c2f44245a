package io.cddpm.viz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON records of a run directory (notes/RUNDIR.md): history.json and evaluations.json.
 * Unknown extra fields are ignored, so writers may add more; a malformed file is an
 * {@link InvalidInputException} naming it.
 */
public final class RunFiles {
    public static final String HISTORY = "history.json";
    public static final String EVALUATIONS = "evaluations.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private RunFiles() {}

    /** The epochs of a history.json, in file order. */
    public static List<EpochRecord> history(Path file) {
        return read(file, "epochs", EpochRecord.class);
    }

    /** Writes a history.json atomically (temporary file, then rename). */
    public static void writeHistory(Path file, List<EpochRecord> epochs) {
        write(file, java.util.Map.of("epochs", epochs));
    }

    /** Writes an evaluations.json atomically (temporary file, then rename). */
    public static void writeEvaluations(Path file, List<EvaluationRecord> evaluations) {
        write(file, java.util.Map.of("evaluations", evaluations));
    }

    private static void write(Path file, Object value) {
        try {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), value);
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The evaluations of an evaluations.json, in file order. */
    public static List<EvaluationRecord> evaluations(Path file) {
        return read(file, "evaluations", EvaluationRecord.class);
    }

    private static <T> List<T> read(Path file, String key, Class<T> type) {
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

    /** Writes a list under {@code key} as pretty JSON (used by tests and tools that produce these files). */
    static void write(Path file, String key, List<?> records) {
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), java.util.Map.of(key, records));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
