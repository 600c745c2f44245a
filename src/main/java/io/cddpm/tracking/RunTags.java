package io.cddpm.tracking;

import io.cddpm.core.BuildInfo;
import java.util.LinkedHashMap;
import java.util.List;
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
    /** The run's colour in the MLflow UI (2.22+: the colour pill, every chart's line or bar, the image cards). */
    public static final String COLOR = "mlflow.runColor";
    /**
     * Trial colours, in trial order: without a colour tag the UI hashes each run id into its palette, and
     * two trials of a sweep could come out the same shade (seen: both dark slate).
     */
    private static final List<String> TRIAL_COLORS = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
            "#8c564b", "#e377c2", "#bcbd22", "#17becf");
    /** A sweep's parent run (its summary metrics): gray, apart from every trial colour. */
    public static final String PARENT_COLOR = "#7f7f7f";
    /** A shipped model's showcase run: near black, apart from every trial colour. */
    public static final String SHOWCASE_COLOR = "#222222";
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

    /** The colour of the trial at index (0-based) of a sweep: distinct for the first nine, then again. */
    public static String trialColor(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("trial index " + index);
        }
        return TRIAL_COLORS.get(index % TRIAL_COLORS.size());
    }

    /** Provenance fields as tags under {@link #PROVENANCE_PREFIX}. */
    public static Map<String, String> provenance(Map<String, String> fields) {
        Map<String, String> tags = new LinkedHashMap<>();
        fields.forEach((k, v) -> tags.put(PROVENANCE_PREFIX + k, v));
        return tags;
    }
}
