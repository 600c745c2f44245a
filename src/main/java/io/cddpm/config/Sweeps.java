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

/**
 * Expands a sweep grid into trials, each bound and validated through the same path as a file. Axes
 * over training keys make trials (one run folder and one training each); axes over sampling keys
 * ({@code sampling} or {@code sampling.*}) make no trial of their own: every trial keeps them in its
 * config's {@code sweep}, is sampled with their first point, and is scored under each of their points
 * ({@link SamplingSettings}).
 */
final class Sweeps {
    private Sweeps() {}

    /** One point of a grid: its label, the swept keys and values, and the tree with them applied. */
    private record Point(String label, Map<String, Object> values, ObjectNode tree, Locations loc) {}

    static List<Trial> expand(ExperimentConfig config) {
        ObjectNode tree = ConfigMappers.BIND.valueToTree(config);
        return expand(tree, new Locations("config '" + config.name() + "'"));
    }

    static List<Trial> expand(ObjectNode merged, Locations loc) {
        Map<String, JsonNode> training = new LinkedHashMap<>();
        ObjectNode samplingAxes = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> axis : axes(merged).entrySet()) {
            if (SamplingSettings.isSamplingKey(axis.getKey())) {
                samplingAxes.set(axis.getKey(), axis.getValue());
            } else {
                training.put(axis.getKey(), axis.getValue());
            }
        }
        List<Trial> trials = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        for (Point p : grid(merged, training, loc, "sweep trial")) {
            if (!labels.add(p.label())) {
                throw loc.error(List.of(ConfigSchema.SWEEP), "two trials would share the label '" + p.label() + "'");
            }
            ObjectNode tree = p.tree();
            if (!samplingAxes.isEmpty()) {
                // the trial is sampled with the first point of the sampling axes, and keeps the axes to be scored under each
                tree.set(ConfigSchema.SWEEP, samplingAxes.deepCopy());
                tree = grid(tree, axes(tree), p.loc(), "sampling point").get(0).tree();
                tree.set(ConfigSchema.SWEEP, samplingAxes.deepCopy());
            }
            ExperimentConfig config = ConfigLoader.bind(tree, p.loc());
            ConfigValidator.validate(config, p.loc());
            trials.add(new Trial(p.label(), p.values(), config));
        }
        for (Trial t : trials) {
            SamplingSettings.of(t.config()); // every sampling point is bound and validated now, so `cddpm config` reports it
        }
        return trials;
    }

    /** Every point of the grid over the sweep axes of tree, validated; the first point first. */
    static List<ExperimentConfig> points(ObjectNode tree, Locations loc) {
        List<ExperimentConfig> out = new ArrayList<>();
        for (Point p : grid(tree, axes(tree), loc, "sampling point")) {
            ExperimentConfig config = ConfigLoader.bind(p.tree(), p.loc());
            ConfigValidator.validate(config, p.loc());
            out.add(config);
        }
        return out;
    }

    private static Map<String, JsonNode> axes(ObjectNode tree) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        JsonNode sweep = tree.get(ConfigSchema.SWEEP);
        if (sweep != null && sweep.isObject()) {
            for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(sweep)) {
                out.put(f.getKey(), f.getValue());
            }
        }
        return out;
    }

    /**
     * The cartesian product of the given axes applied to merged (the first axis varies slowest), each
     * point's tree without a sweep; a grid without axes has one point labelled {@code default}. what names a
     * point in errors ("sweep trial", "sampling point").
     */
    private static List<Point> grid(ObjectNode merged, Map<String, JsonNode> axisMap, Locations loc, String what) {
        List<String> keys = new ArrayList<>(axisMap.keySet());
        List<JsonNode> axes = new ArrayList<>(axisMap.values());
        List<String> shortNames = shortNames(keys);
        List<Point> points = new ArrayList<>();
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
            Locations pointLoc = loc.copyWithContext(keys.isEmpty() ? "" : " (" + what + " '" + label + "')");
            for (int a = 0; a < keys.size(); a++) {
                pointLoc.aliasSubtree(List.of(keys.get(a).split("\\.")),
                        List.of(ConfigSchema.SWEEP, keys.get(a), "[" + index[a] + "]"));
            }
            points.add(new Point(label, values, tree, pointLoc));
            int a = keys.size() - 1;
            while (a >= 0 && ++index[a] == axes.get(a).size()) {
                index[a] = 0;
                a--;
            }
            if (a < 0) {
                return points;
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
