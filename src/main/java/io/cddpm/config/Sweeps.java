package io.cddpm.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Expands a sweep grid into trials, each bound and validated through the same path as a file. */
final class Sweeps {
    private Sweeps() {}

    static List<Trial> expand(ExperimentConfig config) {
        ObjectNode tree = ConfigMappers.BIND.valueToTree(config);
        return expand(tree, new Locations("config '" + config.name() + "'"));
    }

    static List<Trial> expand(ObjectNode merged, Locations loc) {
        JsonNode sweep = merged.get(ConfigSchema.SWEEP);
        List<String> keys = new ArrayList<>();
        List<JsonNode> axes = new ArrayList<>();
        if (sweep != null && sweep.isObject()) {
            for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(sweep)) {
                keys.add(f.getKey());
                axes.add(f.getValue());
            }
        }
        List<String> shortNames = shortNames(keys);
        List<Trial> trials = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        int[] index = new int[keys.size()];
        while (true) {
            ObjectNode tree = merged.deepCopy();
            tree.set(ConfigSchema.SWEEP, JsonNodeFactory.instance.objectNode());
            Map<String, Object> values = new LinkedHashMap<>();
            List<String> parts = new ArrayList<>();
            for (int a = 0; a < keys.size(); a++) {
                JsonNode v = axes.get(a).get(index[a]);
                List<String> path = List.of(keys.get(a).split("\\."));
                JsonNode base = ConfigLoader.at(tree, path);
                if (base instanceof ObjectNode section && v.isObject()) {
                    ConfigSchema.merge(section, v, /* top= */ false);
                } else {
                    ConfigLoader.set(tree, path, v.deepCopy());
                }
                values.put(keys.get(a), plain(v));
                parts.add(shortNames.get(a) + "=" + (v.isTextual() ? v.asText() : v.toString()));
            }
            String label = keys.isEmpty() ? "default" : safe(String.join(",", parts));
            Locations trialLoc = loc.copyWithContext(keys.isEmpty() ? "" : " (sweep trial '" + label + "')");
            for (int a = 0; a < keys.size(); a++) {
                trialLoc.aliasSubtree(List.of(keys.get(a).split("\\.")),
                        List.of(ConfigSchema.SWEEP, keys.get(a), "[" + index[a] + "]"));
            }
            if (!labels.add(label)) {
                throw loc.error(List.of(ConfigSchema.SWEEP), "two trials would share the label '" + label + "'");
            }
            ExperimentConfig config = ConfigLoader.bind(tree, trialLoc);
            ConfigValidator.validate(config, trialLoc);
            trials.add(new Trial(label, values, config));
            int a = keys.size() - 1;
            while (a >= 0 && ++index[a] == axes.get(a).size()) {
                index[a] = 0;
                a--;
            }
            if (a < 0) {
                return trials;
            }
        }
    }

    /** The last part of each dotted key, or the whole key where two axes share that last part. */
    private static List<String> shortNames(List<String> keys) {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            String last = k.substring(k.lastIndexOf('.') + 1);
            long same = keys.stream().filter(o -> o.substring(o.lastIndexOf('.') + 1).equals(last)).count();
            out.add(same > 1 ? k : last);
        }
        return out;
    }

    /** Keeps letters, digits and . _ , = + - ; anything else becomes '_'. */
    static String safe(String label) {
        return label.replaceAll("[^A-Za-z0-9._,=+-]", "_");
    }

    private static Object plain(JsonNode v) {
        try {
            return ConfigMappers.BIND.treeToValue(v, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
