package io.cddpm.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A config's identity: sha256 of its canonical JSON (every key, defaults included, keys sorted at
 * every level, compact). Two configs that mean the same thing hash the same, however their YAML
 * was written (order, defaults stated or not, a sweep value or a plain key).
 */
public final class ConfigHash {
    private ConfigHash() {}

    /** Lowercase hex sha256 of {@link #canonicalJson}. */
    public static String of(ExperimentConfig config) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson(config).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** Lowercase hex sha256 of any value's canonical JSON (e.g. the parts of a config a cached artifact depends on). */
    public static String ofValue(Object value) {
        try {
            Object tree = ConfigMappers.CANONICAL.treeToValue(ConfigMappers.CANONICAL.valueToTree(value), Object.class);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    ConfigMappers.CANONICAL.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash " + value, e);
        }
    }

    /** The compact JSON whose hash {@link #of} is: keys sorted, no whitespace. */
    public static String canonicalJson(ExperimentConfig config) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = ConfigMappers.CANONICAL.valueToTree(config);
            // how often the machine's load is sampled changes nothing a trial computes; leaving it out
            // also keeps the hashes (reuse, resume) of configs written before the key existed
            if (node.get("tracking") instanceof com.fasterxml.jackson.databind.node.ObjectNode t) {
                t.remove("system_metrics_interval");
            }
            // the reference conditioning is what every config meant before model.conditioning existed:
            // stated only when it differs, so those configs keep their hashes
            if (node.get("model") instanceof com.fasterxml.jackson.databind.node.ObjectNode m
                    && Conditioning.ADD.id().equals(m.path("conditioning").asText())) {
                m.remove("conditioning");
            }
            // likewise per-object guidance: off unless asked for
            if (node.get("sampling") instanceof com.fasterxml.jackson.databind.node.ObjectNode s
                    && s.path("object_guidance").asDouble(-1) == 0.0) {
                s.remove("object_guidance");
            }
            Object tree = ConfigMappers.CANONICAL.treeToValue(node, Object.class);
            return ConfigMappers.CANONICAL.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write canonical JSON", e);
        }
    }
}
