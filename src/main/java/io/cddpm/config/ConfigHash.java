package io.cddpm.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cddpm.diffusion.TimestepSampling;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

/**
 * A config's identity: sha256 of its canonical JSON (every key, defaults included, keys sorted at
 * every level, compact). Two configs that mean the same thing hash the same, however their YAML
 * was written (order, defaults stated or not, a sweep value or a plain key).
 */
public final class ConfigHash {
    private ConfigHash() {}

    /** A key added after configs were first hashed, and the values that mean what configs meant before it existed. */
    private record AddedLater(String section, String key, Predicate<JsonNode> neutral) {}

    /**
     * Stated in the canonical JSON only when they differ from their neutral value, so every config written
     * before them keeps its hash (reuse, resume): the reference conditioning, per-object guidance off, and no
     * mirrored training images.
     */
    private static final List<AddedLater> ADDED_LATER = List.of(
            new AddedLater("model", "conditioning", v -> Conditioning.ADD.id().equals(v.asText())),
            new AddedLater("sampling", "object_guidance", v -> v.isNumber() && v.asDouble() == 0.0),
            new AddedLater("training", "hflip", v -> v.isBoolean() && !v.asBoolean()),
            new AddedLater("model", "cross_attention_levels", JsonNode::isNull),
            new AddedLater("training", "timestep_sampling", v -> TimestepSampling.UNIFORM.id().equals(v.asText())),
            new AddedLater("training", "logit_mean", v -> v.isNumber() && v.asDouble() == 0.0),
            new AddedLater("training", "logit_std", v -> v.isNumber() && v.asDouble() == 1.0));

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
            JsonNode node = ConfigMappers.CANONICAL.valueToTree(config);
            // how often the machine's load is sampled changes nothing a trial computes; leaving it out
            // also keeps the hashes (reuse, resume) of configs written before the key existed
            if (node.get("tracking") instanceof ObjectNode t) {
                t.remove("system_metrics_interval");
            }
            for (AddedLater k : ADDED_LATER) {
                if (node.get(k.section()) instanceof ObjectNode section && section.has(k.key()) && k.neutral().test(section.get(k.key()))) {
                    section.remove(k.key());
                }
            }
            Object tree = ConfigMappers.CANONICAL.treeToValue(node, Object.class);
            return ConfigMappers.CANONICAL.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write canonical JSON", e);
        }
    }
}
