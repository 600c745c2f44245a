package io.cddpm.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The label vocabulary of an i-CLEVR specification (objects.json): label name -> index. The
 * official one has 24 labels, index = 8 * shape + color (shapes cube, sphere, cylinder; colors gray,
 * red, blue, green, brown, purple, cyan, yellow).
 */
public final class Labels {
    /** i-CLEVR images hold 1 to 3 objects; the renderer and the evaluator's data assume it. */
    public static final int MAX_OBJECTS = 3;

    private final Map<String, Integer> indexByName;
    private final List<String> names;
    private final String source;

    private Labels(Map<String, Integer> indexByName, String source) {
        this.indexByName = Collections.unmodifiableMap(indexByName);
        String[] byIndex = new String[indexByName.size()];
        indexByName.forEach((name, index) -> byIndex[index] = name);
        this.names = List.of(byIndex);
        this.source = source;
    }

    /** The official 24 i-CLEVR labels shipped with cddpm. */
    public static Labels builtin() {
        try (InputStream in = Labels.class.getResourceAsStream("/iclevr/objects.json")) {
            return parse(Json.MAPPER.readTree(in), "objects.json (built in)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads and validates an objects.json file. */
    public static Labels load(Path file) {
        return parse(Json.read(file), file.toString());
    }

    static Labels parse(JsonNode root, String source) {
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new InvalidInputException(source + ": expected a JSON object of label name -> index");
        }
        Map<String, Integer> map = new LinkedHashMap<>();
        Map<Integer, String> seen = new LinkedHashMap<>();
        int n = root.size();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isIntegralNumber()) {
                throw new InvalidInputException(source + ": label '" + e.getKey() + "' has index " + v + ", expected an integer");
            }
            int index = v.asInt();
            if (index < 0 || index >= n) {
                throw new InvalidInputException(source + ": label '" + e.getKey() + "' has index " + index
                        + ", out of range 0.." + (n - 1) + " for " + n + " labels");
            }
            String other = seen.putIfAbsent(index, e.getKey());
            if (other != null) {
                throw new InvalidInputException(source + ": labels '" + other + "' and '" + e.getKey() + "' share index " + index);
            }
            map.put(e.getKey(), index);
        }
        return new Labels(map, source);
    }

    public int size() {
        return names.size();
    }

    public String name(int index) {
        return names.get(index);
    }

    public List<String> names() {
        return names;
    }

    /** Where this vocabulary came from (for messages). */
    public String source() {
        return source;
    }

    /** The index of a label, or -1. */
    public int indexOf(String label) {
        Integer i = indexByName.get(label);
        return i == null ? -1 : i;
    }

    /**
     * Validates one image's label list and returns its indices, in order.
     *
     * @param where names the file and entry, for the message
     */
    public int[] indices(List<String> labels, String where) {
        if (labels.isEmpty()) {
            throw new InvalidInputException(where + ": empty label list (an image has 1 to 3 objects)");
        }
        if (labels.size() > MAX_OBJECTS) {
            throw new InvalidInputException(where + ": " + labels.size() + " labels " + labels + " (an image has 1 to "
                    + MAX_OBJECTS + " objects)");
        }
        int[] out = new int[labels.size()];
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            String label = labels.get(i);
            int index = indexOf(label);
            if (index < 0) {
                throw new InvalidInputException(where + ": unknown label '" + label + "' (not in " + source + ")");
            }
            if (seen.contains(label)) {
                throw new InvalidInputException(where + ": label '" + label + "' appears twice in one image");
            }
            seen.add(label);
            out[i] = index;
        }
        return out;
    }

    /** The multi-hot vector of a validated index list. */
    public float[] multiHot(int[] indices) {
        float[] v = new float[size()];
        for (int i : indices) {
            v[i] = 1f;
        }
        return v;
    }

    /** Writes a value as JSON (used for train.json / objects.json files). */
    public static String toJson(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Jackson in one place for the data package. */
    static final class Json {
        /** Strict about duplicate keys: {"a.png": [...], "a.png": [...]} silently kept the last entry. */
        static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

        private Json() {}

        static JsonNode read(Path file) {
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException(file + ": file not found");
            }
            try {
                return MAPPER.readTree(file.toFile());
            } catch (JsonProcessingException e) {
                throw new InvalidInputException(file + ": not valid JSON: " + e.getOriginalMessage()
                        + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
            } catch (IOException e) {
                throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
    }
}
