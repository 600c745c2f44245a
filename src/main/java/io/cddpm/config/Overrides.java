package io.cddpm.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cddpm.core.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --set dotted.key=value}: the value is read as YAML (so {@code 3}, {@code 1e-4},
 * {@code true}, {@code null}, {@code [32, 64]} and {@code {enabled: false}} keep their types; text
 * that is not valid YAML, such as a cron starting with '*', stays a string), then goes through the
 * same checks as the file. A sweep axis is {@code sweep.<dotted key>=[v1, v2]}.
 */
final class Overrides {
    private Overrides() {}

    static void apply(ObjectNode user, String override, Locations loc) {
        String where = "--set " + TrackingUris.redact(override); // named in every error about the key: never with a password
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new InvalidInputException(where + ": expected dotted.key=value, e.g. --set training.epochs=10");
        }
        String key = override.substring(0, eq).trim();
        List<String> path = path(key, where);
        JsonNode value = value(override.substring(eq + 1));
        JsonNode existing = ConfigLoader.at(user, path);
        if (existing instanceof ObjectNode section && value.isObject() && !path.equals(List.of(ConfigSchema.SWEEP))) {
            ConfigSchema.merge(section, value, /* top= */ false); // --set training.ema={decay: 0.99} keeps the other ema keys
        } else {
            ConfigLoader.set(user, path, value);
            loc.replaceSubtree(path, where);
        }
        for (int i = 1; i < path.size(); i++) {
            loc.putIfAbsent(path.subList(0, i), where);
        }
        loc.put(path, where);
        markChildren(value, new ArrayList<>(path), loc, where);
    }

    private static List<String> path(String key, String where) {
        List<String> path = new ArrayList<>();
        if (key.startsWith("sweep.")) {
            path.add("sweep");
            path.add(key.substring("sweep.".length()));
        } else {
            for (String s : key.split("\\.", -1)) {
                path.add(s);
            }
        }
        for (String s : path) {
            if (s.isBlank()) {
                throw new InvalidInputException(where + ": key '" + key + "' has an empty part");
            }
        }
        return path;
    }

    private static JsonNode value(String text) {
        if (text.isBlank()) {
            return JsonNodeFactory.instance.textNode(text);
        }
        try {
            JsonNode n = ConfigMappers.YAML_VALUE.readTree(text);
            return n == null || n.isMissingNode() ? JsonNodeFactory.instance.textNode(text) : n;
        } catch (JsonProcessingException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }

    private static void markChildren(JsonNode n, List<String> path, Locations loc, String where) {
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(n)) {
                path.add(f.getKey());
                loc.put(path, where);
                markChildren(f.getValue(), path, loc, where);
                path.remove(path.size() - 1);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                path.add("[" + i + "]");
                loc.put(path, where);
                markChildren(n.get(i), path, loc, where);
                path.remove(path.size() - 1);
            }
        }
    }
}
