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
import java.util.Set;
import java.util.function.Predicate;

/**
 * A trial's identity: sha256 of the canonical JSON (keys sorted at every level, compact) of what
 * determines its weights, and nothing else: {@code resolution} and the {@code dataset}, {@code model},
 * {@code diffusion} and {@code training} sections (the seed is {@code training.seed}). Two configs that
 * train the same weights hash the same, however their YAML was written (order, defaults stated or
 * not, a sweep value or a plain key), and whatever they say about how a trained model is sampled and
 * scored ({@code sampling}, {@code evaluation}), tracked ({@code tracking}), scheduled ({@code
 * schedule}), named or stored ({@code name}, {@code output_dir}): changing those re-scores a finished
 * trial instead of training it again.
 */
public final class ConfigHash {
    private ConfigHash() {}

    /** The top-level keys whose values determine the weights. */
    private static final Set<String> TRAINING_SECTIONS = Set.of("resolution", "dataset", "model", "diffusion", "training");

    /**
     * Keys inside those sections that change no weight: which condition files are scored, how often a
     * checkpoint is scored, and where the training runs (a worker's device is not what it trains).
     */
    private static final List<List<String>> NOT_TRAINING = List.of(
            List.of("dataset", "test_files"),
            List.of("training", "evaluate_every"),
            List.of("training", "device"));

    /** A key added after configs were first hashed, and the values that mean what configs meant before it existed. */
    private record AddedLater(String section, String key, Predicate<JsonNode> neutral) {}

    /**
     * Stated in the canonical JSON only when they differ from their neutral value, so every config written
     * before them keeps its hash (reuse, resume): the reference conditioning and no mirrored training images.
     */
    private static final List<AddedLater> ADDED_LATER = List.of(
            new AddedLater("model", "conditioning", v -> Conditioning.ADD.id().equals(v.asText())),
            new AddedLater("training", "hflip", v -> v.isBoolean() && !v.asBoolean()),
            new AddedLater("model", "cross_attention_levels", JsonNode::isNull),
            new AddedLater("training", "timestep_sampling", v -> TimestepSampling.UNIFORM.id().equals(v.asText())),
            new AddedLater("training", "logit_mean", v -> v.isNumber() && v.asDouble() == 0.0),
            new AddedLater("training", "logit_std", v -> v.isNumber() && v.asDouble() == 1.0),
            new AddedLater("model", "patch_size", v -> v.isInt() && v.asInt() == 1),
            new AddedLater("diffusion", "snr_shift_resolution", JsonNode::isNull),
            new AddedLater("model", "super_resolution", v -> v.path("from").isNull()));

    /** Lowercase hex sha256 of {@link #canonicalJson}: the trial's identity. */
    public static String of(ExperimentConfig config) {
        return sha256(canonicalJson(config));
    }

    /**
     * The identity of a whole experiment (the sweep's parent run): its trials' identity keys plus the sweep
     * axes that vary them; axes over sampling keys vary no training and are left out.
     */
    public static String ofExperiment(ExperimentConfig config) {
        StringBuilder json = new StringBuilder(canonicalJson(config));
        config.sweep().forEach((key, values) -> {
            if (!SamplingSettings.isSamplingKey(key)) {
                json.append('\n').append(key).append('=').append(canonical(values));
            }
        });
        return sha256(json.toString());
    }

    /** Lowercase hex sha256 of any value's canonical JSON (e.g. the parts of a config a cached artifact depends on). */
    public static String ofValue(Object value) {
        return sha256(canonical(value));
    }

    /** The compact JSON whose hash {@link #of} is: the identity keys, sorted, no whitespace. */
    public static String canonicalJson(ExperimentConfig config) {
        try {
            JsonNode full = ConfigMappers.CANONICAL.valueToTree(config);
            ObjectNode node = ConfigMappers.CANONICAL.createObjectNode();
            full.fieldNames().forEachRemaining(name -> {
                if (TRAINING_SECTIONS.contains(name)) {
                    node.set(name, full.get(name));
                }
            });
            for (List<String> key : NOT_TRAINING) {
                if (node.get(key.get(0)) instanceof ObjectNode section) {
                    section.remove(key.get(1));
                }
            }
            for (AddedLater k : ADDED_LATER) {
                if (node.get(k.section()) instanceof ObjectNode section && section.has(k.key()) && k.neutral().test(section.get(k.key()))) {
                    section.remove(k.key());
                }
            }
            return canonical(node);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot write canonical JSON", e);
        }
    }

    private static String canonical(Object value) {
        try {
            Object tree = ConfigMappers.CANONICAL.treeToValue(ConfigMappers.CANONICAL.valueToTree(value), Object.class);
            return ConfigMappers.CANONICAL.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write canonical JSON of " + value, e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
