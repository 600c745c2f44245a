package io.cddpm.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A test.json-style file: a list of label lists, one per image to generate. */
public record ConditionFile(String name, List<List<String>> conditions, List<int[]> indices, Labels labels, String source) {
    public ConditionFile {
        conditions = List.copyOf(conditions);
        indices = List.copyOf(indices);
    }

    /** The built-in condition sets: the official files, and one single-object condition per label. */
    public static final List<String> BUILTIN = List.of("test", "new_test", "singles");

    /**
     * A built-in condition set: the course's "test" or "new_test", or "singles" (every label alone, in
     * label-index order: for i-CLEVR one row of 8 colors per shape), which shows at a glance whether a
     * model draws the color and shape it is asked for.
     */
    public static ConditionFile builtin(String name, Labels labels) {
        if (!BUILTIN.contains(name)) {
            throw new InvalidInputException("unknown built-in condition file '" + name + "' (built in: " + String.join(", ", BUILTIN) + ")");
        }
        if (name.equals("singles")) {
            return singles(labels);
        }
        try (InputStream in = ConditionFile.class.getResourceAsStream("/iclevr/" + name + ".json")) {
            return parse(Labels.Json.MAPPER.readTree(in), name, labels, name + ".json (built in)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "test", "new_test", "singles" (built in) or a path to a JSON file. */
    public static ConditionFile resolve(String nameOrPath, Labels labels) {
        if (BUILTIN.contains(nameOrPath)) {
            return builtin(nameOrPath, labels);
        }
        return load(Path.of(nameOrPath), labels);
    }

    private static ConditionFile singles(Labels labels) {
        List<List<String>> conditions = new ArrayList<>();
        List<int[]> indices = new ArrayList<>();
        for (int i = 0; i < labels.names().size(); i++) {
            conditions.add(List.of(labels.name(i)));
            indices.add(new int[] {i});
        }
        return new ConditionFile("singles", conditions, indices, labels, "singles (built in: each of the " + labels.names().size() + " labels alone)");
    }

    public static ConditionFile load(Path file, Labels labels) {
        String name = file.getFileName().toString().replaceFirst("\\.json$", "");
        return parse(Labels.Json.read(file), name, labels, file.toString());
    }

    static ConditionFile parse(JsonNode root, String name, Labels labels, String source) {
        if (root == null || !root.isArray()) {
            throw new InvalidInputException(source + ": expected a JSON list of label lists, e.g. [[\"red cube\"], [\"blue sphere\", \"gray cylinder\"]]");
        }
        if (root.isEmpty()) {
            throw new InvalidInputException(source + ": no conditions");
        }
        List<List<String>> conditions = new ArrayList<>();
        List<int[]> indices = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            String where = source + ": entry " + i;
            List<String> list = stringList(root.get(i), where);
            conditions.add(list);
            indices.add(labels.indices(list, where));
        }
        return new ConditionFile(name, conditions, indices, labels, source);
    }

    static List<String> stringList(JsonNode node, String where) {
        if (!node.isArray()) {
            throw new InvalidInputException(where + ": expected a list of label strings, got " + node);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new InvalidInputException(where + ": expected a list of label strings, found " + item);
            }
            out.add(item.asText());
        }
        return out;
    }

    public int size() {
        return conditions.size();
    }

    /** (N, numLabels) multi-hot rows. */
    public float[][] multiHot() {
        float[][] out = new float[indices.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels.multiHot(indices.get(i));
        }
        return out;
    }
}
