package io.cddpm.tracking;

import io.cddpm.core.BuildInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tags cddpm puts on every run: git commit, config hash, host, device, and MLflow's own source and
 * user tags (the UI's "Source" and "Created by" columns).
 */
public final class RunTags {
    public static final String GIT_COMMIT = "mlflow.source.git.commit";
    public static final String CONFIG_HASH = "cddpm.config_hash";
    public static final String HOST = "cddpm.host";
    public static final String DEVICE = "cddpm.device";
    public static final String USER = "mlflow.user";
    public static final String SOURCE_NAME = "mlflow.source.name";
    public static final String SOURCE_TYPE = "mlflow.source.type";
    /** Prefix of the provenance tags (what produced the run's weights: versions, kernels, precision, data). */
    public static final String PROVENANCE_PREFIX = "cddpm.provenance.";

    private RunTags() {}

    /**
     * @param configHash {@code ConfigHash.of(config)}
     * @param device     the device setting, e.g. {@code auto} or {@code gpu:0}
     */
    public static Map<String, String> standard(String configHash, String device) {
        Map<String, String> tags = new LinkedHashMap<>();
        BuildInfo.gitCommit().ifPresent(c -> tags.put(GIT_COMMIT, c));
        tags.put(CONFIG_HASH, configHash);
        tags.put(HOST, BuildInfo.host());
        tags.put(DEVICE, device);
        tags.put(USER, System.getProperty("user.name", "unknown"));
        tags.put(SOURCE_NAME, "cddpm " + BuildInfo.version());
        tags.put(SOURCE_TYPE, "LOCAL");
        return tags;
    }

    /** Provenance fields as tags under {@link #PROVENANCE_PREFIX}. */
    public static Map<String, String> provenance(Map<String, String> fields) {
        Map<String, String> tags = new LinkedHashMap<>();
        fields.forEach((k, v) -> tags.put(PROVENANCE_PREFIX + k, v));
        return tags;
    }
}
