package io.cddpm.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The shape of a config, taken from the defaults themselves (every key exists in
 * {@link ExperimentConfig#defaults()}): which keys exist, which are sections, which can be swept.
 */
final class ConfigSchema {
    private ConfigSchema() {}

    static final String SWEEP = "sweep";
    /** Top-level keys that name or place the experiment as a whole, so they cannot vary per trial. */
    private static final Set<String> NOT_SWEEPABLE = Set.of("name", "output_dir", "tracking", SWEEP, "schedule");

    private static final ObjectNode DEFAULTS = ConfigMappers.BIND.valueToTree(ExperimentConfig.defaults());

    /** The defaults as a tree (a fresh copy). */
    static ObjectNode defaults() {
        return DEFAULTS.deepCopy();
    }

    /** Dotted keys a sweep may vary: every section and value except the experiment-wide ones. */
    static List<String> sweepableKeys() {
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(DEFAULTS)) {
            if (!NOT_SWEEPABLE.contains(f.getKey())) {
                collect(f.getKey(), f.getValue(), keys);
            }
        }
        return keys;
    }

    private static void collect(String prefix, JsonNode n, List<String> out) {
        out.add(prefix);
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(n)) {
                collect(prefix + "." + f.getKey(), f.getValue(), out);
            }
        }
    }

    /** Unknown keys (with a suggestion), sections given as values, and the sweep's keys and axes. */
    static void checkKeys(ObjectNode user, Locations loc) {
        checkSection(user, DEFAULTS, new ArrayList<>(), loc);
        JsonNode sweep = user.get(SWEEP);
        if (sweep != null && !sweep.isNull()) {
            checkSweep(sweep, loc);
        }
    }

    private static void checkSection(JsonNode user, JsonNode schema, List<String> path, Locations loc) {
        for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(user)) {
            List<String> child = new ArrayList<>(path);
            child.add(f.getKey());
            JsonNode expected = schema.get(f.getKey());
            if (expected == null) {
                throw loc.error(child, "unknown key" + suggestion(f.getKey(), schema, path));
            }
            if (path.isEmpty() && f.getKey().equals(SWEEP)) {
                continue;
            }
            JsonNode given = f.getValue();
            if (expected.isObject()) {
                if (!given.isObject() && !given.isNull()) {
                    throw loc.error(child, "wrong type: expected a mapping with keys " + keysOf(expected)
                            + ", got " + ConfigLoader.show(given));
                }
                if (given.isObject()) {
                    checkSection(given, expected, child, loc);
                }
            }
        }
    }

    private static String suggestion(String key, JsonNode schema, List<String> path) {
        List<String> siblings = keysOf(schema);
        Optional<String> near = EditDistance.nearest(key, siblings);
        String here = path.isEmpty() ? "at the top level" : "in '" + Locations.dotted(path) + "'";
        if (near.isPresent()) {
            return " (did you mean '" + near.get() + "'?); valid keys " + here + ": " + String.join(", ", siblings);
        }
        for (String full : allKeys()) {
            String last = full.substring(full.lastIndexOf('.') + 1);
            if (last.equals(key)) {
                return " (did you mean '" + full + "'? it belongs in another section); valid keys " + here + ": "
                        + String.join(", ", siblings);
            }
        }
        return "; valid keys " + here + ": " + String.join(", ", siblings);
    }

    private static List<String> allKeys() {
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(DEFAULTS)) {
            collect(f.getKey(), f.getValue(), keys);
        }
        return keys;
    }

    private static List<String> keysOf(JsonNode section) {
        List<String> keys = new ArrayList<>();
        section.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static void checkSweep(JsonNode sweep, Locations loc) {
        List<String> path = List.of(SWEEP);
        if (!sweep.isObject()) {
            throw loc.error(path, "wrong type: expected a mapping of dotted keys to lists of values, e.g. "
                    + "'diffusion.beta_schedule: [linear, squaredcos_cap_v2]', got " + ConfigLoader.show(sweep));
        }
        List<String> sweepable = sweepableKeys();
        for (Map.Entry<String, JsonNode> axis : ConfigLoader.fields(sweep)) {
            List<String> p = List.of(SWEEP, axis.getKey());
            if (!sweepable.contains(axis.getKey())) {
                String first = axis.getKey().split("\\.", -1)[0];
                String why = NOT_SWEEPABLE.contains(first) ? "'" + first + "' cannot vary between trials"
                        : "unknown sweep key";
                Optional<String> near = EditDistance.nearest(axis.getKey(), sweepable);
                throw loc.error(p, why + near.map(n -> " (did you mean '" + n + "'?)").orElse("")
                        + "; a sweep key is a dotted config key such as diffusion.beta_schedule or training.lr");
            }
            JsonNode values = axis.getValue();
            if (!values.isArray()) {
                throw loc.error(p, "wrong type: a sweep axis is a list of values, e.g. [a, b], got " + ConfigLoader.show(values));
            }
            if (values.isEmpty()) {
                throw loc.error(p, "empty sweep axis: give at least one value (or remove the key)");
            }
            Set<JsonNode> seen = new HashSet<>();
            for (int i = 0; i < values.size(); i++) {
                if (!seen.add(values.get(i))) {
                    List<String> e = List.of(SWEEP, axis.getKey(), "[" + i + "]");
                    throw loc.error(e, "duplicate sweep value " + values.get(i) + " (each trial would run twice)");
                }
            }
        }
    }

    /** The user's tree laid over the defaults: sections merge key by key, values and lists replace. */
    static ObjectNode withDefaults(ObjectNode user) {
        ObjectNode merged = defaults();
        merge(merged, user, /* top= */ true);
        return merged;
    }

    static void merge(ObjectNode into, JsonNode user, boolean top) {
        for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(user)) {
            JsonNode base = into.get(f.getKey());
            JsonNode given = f.getValue();
            boolean section = base != null && base.isObject() && !(top && f.getKey().equals(SWEEP));
            if (section && given.isObject()) {
                merge((ObjectNode) base, given, /* top= */ false);
            } else if (section && given.isNull()) {
                continue; // an empty section ("training:") keeps its defaults
            } else {
                into.set(f.getKey(), given.deepCopy());
            }
        }
    }
}
