package io.cddpm.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A config as flat dotted keys -> string values, in config order: MLflow params and the report's
 * config table. Lists are compact JSON ({@code [32,64,128]}), null is {@code null}, a sweep axis is
 * {@code sweep.<dotted key>} -> its list of values.
 */
public final class ConfigFlattener {
    private ConfigFlattener() {}

    public static Map<String, String> flatten(ExperimentConfig config) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode tree = ConfigMappers.BIND.valueToTree(config);
        for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(tree)) {
            if (f.getKey().equals(ConfigSchema.SWEEP)) {
                for (Map.Entry<String, JsonNode> axis : ConfigLoader.fields(f.getValue())) {
                    out.put(ConfigSchema.SWEEP + "." + axis.getKey(), axis.getValue().toString());
                }
            } else {
                put(f.getKey(), f.getValue(), out);
            }
        }
        return out;
    }

    private static void put(String key, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> f : ConfigLoader.fields(n)) {
                put(key + "." + f.getKey(), f.getValue(), out);
            }
        } else if (n.isTextual()) {
            out.put(key, n.asText());
        } else {
            out.put(key, n.toString());
        }
    }
}
