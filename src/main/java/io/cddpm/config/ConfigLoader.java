package io.cddpm.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.Limits;
import io.cddpm.diffusion.SamplerKind;
import io.cddpm.diffusion.Samplers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads experiment configs from YAML (or JSON), applies {@code --set dotted.key=value} overrides,
 * fills defaults and validates everything once: syntax, unknown keys (with the nearest valid key),
 * types, enum values, the sweep grid (every trial is built and checked) and value ranges. Every
 * error is an {@link InvalidInputException} naming the file and line (or the override) and the key.
 * Also writes configs back as YAML or JSON (a checkpoint embeds its config this way).
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Loads and validates a YAML config file. */
    public static ExperimentConfig load(Path yaml) {
        return load(yaml, List.of());
    }

    /** Loads a YAML config file, applies the overrides ({@code dotted.key=value}, in order) and validates. */
    public static ExperimentConfig load(Path yaml, List<String> overrides) {
        if (!Files.isRegularFile(yaml)) {
            throw new InvalidInputException("config file " + yaml + " does not exist or is not a file");
        }
        String text = text(yaml);
        Locations loc = new Locations(yaml.toString());
        ObjectNode user = SourceTree.parse(text, ConfigMappers.YAML_FACTORY, loc);
        if (user.isEmpty()) {
            // all defaults means 120 epochs at 64px: a run nobody asks for by leaving a file empty
            throw new InvalidInputException(yaml + ": empty experiment file (no keys); state at least a name and what differs"
                    + " from the defaults, e.g. start from experiments/quickstart.yaml ('cddpm config FILE --print' shows every key)");
        }
        return build(user, loc, overrides);
    }

    /**
     * The file as UTF-8 text. A binary file (a checkpoint or image passed by mistake) is an input
     * error that says why, not an I/O failure: the first byte that is not UTF-8, or a NUL byte; so is
     * a file above {@link Limits#MAX_CONFIG_BYTES}, refused before it is read.
     */
    private static String text(Path yaml) {
        byte[] bytes;
        try {
            long size = Files.size(yaml); // before reading: a 50 MB comment took a minute and 745 MB to parse
            if (size > Limits.MAX_CONFIG_BYTES) {
                throw new InvalidInputException("config file " + yaml + ": " + size + " bytes; the limit is " + Limits.MAX_CONFIG_BYTES
                        + " bytes (an experiment file states a few keys)");
            }
            bytes = Files.readAllBytes(yaml);
        } catch (IOException e) {
            throw new InvalidInputException("config file " + yaml + ": cannot read it (" + e + ")", e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = StandardCharsets.UTF_8.newDecoder().decode(in, out, true);
        if (r.isError()) {
            throw new InvalidInputException(yaml + ": not a YAML text file: byte " + in.position() + " (0x"
                    + String.format("%02x", bytes[in.position()] & 0xff) + ") is not UTF-8 (a binary file?)");
        }
        String text = out.flip().toString();
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw new InvalidInputException(yaml + ": not a YAML text file: NUL character at offset " + nul + " (a binary file?)");
        }
        return text;
    }

    /** Parses and validates YAML text; {@code sourceName} names it in error messages. */
    public static ExperimentConfig fromYaml(String yaml, String sourceName) {
        return fromYaml(yaml, sourceName, List.of());
    }

    /** Parses YAML text, applies the overrides and validates. */
    public static ExperimentConfig fromYaml(String yaml, String sourceName, List<String> overrides) {
        return parse(yaml, sourceName, ConfigMappers.YAML_FACTORY, overrides);
    }

    /** Parses and validates JSON text (as written by {@link #toJson}). */
    public static ExperimentConfig fromJson(String json, String sourceName) {
        return parse(json, sourceName, ConfigMappers.JSON_FACTORY, List.of());
    }

    /** A validated copy of {@code config} with the overrides applied (errors name the override). */
    public static ExperimentConfig override(ExperimentConfig config, List<String> overrides) {
        Locations loc = new Locations("config '" + config.name() + "'");
        ObjectNode tree = ConfigMappers.BIND.valueToTree(config);
        return build(tree, loc, overrides);
    }

    /**
     * {@code config} with its sampling section replaced, validated exactly as a config file's would
     * be (finite, in range, steps within what the sampler takes): command-line sampling options go
     * through the same checks as the YAML, so a bad {@code --guidance} cannot slip past them.
     * Errors name the key ({@code sampling.guidance}).
     */
    public static ExperimentConfig withSampling(ExperimentConfig config, SamplingConfig sampling) {
        ObjectNode tree = ConfigMappers.BIND.valueToTree(config);
        tree.set("sampling", ConfigMappers.BIND.valueToTree(sampling));
        return build(tree, new Locations("sampling options"), List.of());
    }

    /** The full config as YAML (every key, defaults included); {@link #fromYaml} reads it back equal. */
    public static String toYaml(ExperimentConfig config) {
        try {
            return ConfigMappers.YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write config as YAML", e);
        }
    }

    /** The full config as pretty JSON; {@link #fromJson} reads it back equal. */
    public static String toJson(ExperimentConfig config) {
        try {
            return ConfigMappers.BIND.writerWithDefaultPrettyPrinter().writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write config as JSON", e);
        }
    }

    private static ExperimentConfig parse(String text, String sourceName, JsonFactory factory, List<String> overrides) {
        Locations loc = new Locations(sourceName);
        ObjectNode user = SourceTree.parse(text, factory, loc);
        return build(user, loc, overrides);
    }

    private static ExperimentConfig build(ObjectNode user, Locations loc, List<String> overrides) {
        for (String o : overrides) {
            Overrides.apply(user, o, loc);
        }
        ConfigSchema.checkKeys(user, loc);
        ObjectNode merged = ConfigSchema.withDefaults(user);
        ExperimentConfig config = bind(merged, loc);
        ConfigValidator.validate(config, loc);
        Sweeps.expand(merged, loc); // builds and validates every trial of the grid
        return config;
    }

    /** Binds a complete tree to the records, translating Jackson's errors into located ones. */
    static ExperimentConfig bind(ObjectNode tree, Locations loc) {
        try {
            return ConfigMappers.BIND.treeToValue(tree, ExperimentConfig.class);
        } catch (JsonMappingException e) {
            List<String> path = new ArrayList<>();
            for (JsonMappingException.Reference r : e.getPath()) {
                path.add(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
            }
            throw loc.error(path, explain(e, at(tree, path)));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(loc.source() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static String explain(JsonMappingException e, JsonNode given) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IllegalArgumentException && c.getMessage() != null && c.getMessage().startsWith("unknown ")) {
                return c.getMessage();
            }
        }
        if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
            Class<?> t = mie.getTargetType();
            if (t.isEnum()) {
                return "invalid value " + show(given) + " (valid: " + enumIds(t) + ")";
            }
            if (t == SamplerKind.class) {
                return "invalid value " + show(given) + " (valid: " + Samplers.ids() + ")";
            }
            return "wrong type: expected " + expected(t) + ", got " + show(given);
        }
        return e.getOriginalMessage();
    }

    private static String expected(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(t)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(t) || t.isRecord()) {
            return "a mapping";
        }
        return t.getSimpleName();
    }

    private static String enumIds(Class<?> t) {
        List<String> ids = new ArrayList<>();
        for (Object c : t.getEnumConstants()) {
            ids.add(ConfigMappers.BIND.valueToTree(c).asText());
        }
        return String.join(", ", ids);
    }

    static String show(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "'" + n.asText() + "' (a string)";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list " + n;
        }
        if (n.isBoolean()) {
            return n + " (a boolean)";
        }
        if (n.isIntegralNumber()) {
            return n + " (an integer)";
        }
        return n.toString();
    }

    static JsonNode at(JsonNode tree, List<String> path) {
        JsonNode n = tree;
        for (String s : path) {
            if (n == null) {
                return null;
            }
            n = s.startsWith("[") ? n.get(Integer.parseInt(s.substring(1, s.length() - 1))) : n.get(s);
        }
        return n;
    }

    /** Sets {@code value} at {@code path}, creating (or replacing non-mapping) parents. */
    static void set(ObjectNode tree, List<String> path, JsonNode value) {
        ObjectNode n = tree;
        for (int i = 0; i < path.size() - 1; i++) {
            JsonNode child = n.get(path.get(i));
            if (!(child instanceof ObjectNode)) {
                child = JsonNodeFactory.instance.objectNode();
                n.set(path.get(i), child);
            }
            n = (ObjectNode) child;
        }
        n.set(path.get(path.size() - 1), value);
    }

    static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode n) {
        return () -> {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            return it;
        };
    }
}
