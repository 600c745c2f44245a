package io.cddpm.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** A train.json: image file name -> list of labels, validated against a label vocabulary, in file order. */
public record TrainSpec(List<LabeledImage> entries, Labels labels, String source) {
    public TrainSpec {
        entries = List.copyOf(entries);
    }

    /** The official i-CLEVR train.json (18,009 entries) shipped with cddpm. */
    public static TrainSpec builtin() {
        try (InputStream in = TrainSpec.class.getResourceAsStream("/iclevr/train.json")) {
            return parse(Labels.Json.MAPPER.readTree(in), Labels.builtin(), "train.json (built in)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TrainSpec load(Path file, Labels labels) {
        return parse(Labels.Json.read(file), labels, file.toString());
    }

    static TrainSpec parse(JsonNode root, Labels labels, String source) {
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(source + ": expected a JSON object of image file name -> list of labels");
        }
        List<LabeledImage> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = source + ": entry '" + e.getKey() + "'";
            SafeNames.check(e.getKey(), source + ": entry");
            List<String> list = ConditionFile.stringList(e.getValue(), where);
            entries.add(new LabeledImage(e.getKey(), list, labels.indices(list, where)));
        }
        if (entries.isEmpty()) {
            throw new InvalidInputException(source + ": no entries");
        }
        return new TrainSpec(entries, labels, source);
    }

    public int size() {
        return entries.size();
    }

    /** The first n entries (all when n is null or larger). */
    public TrainSpec limit(Integer n) {
        if (n == null || n >= entries.size()) {
            return this;
        }
        return new TrainSpec(entries.subList(0, n), labels, source + " (first " + n + ")");
    }
}
