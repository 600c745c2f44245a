package io.cddpm.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sampling settings a trial is scored under: its own {@code sampling} section first, then every
 * other point of the sampling axes its config keeps in {@code sweep} (a sweep over sampling keys trains
 * once and scores each point), and the short names that tell them apart in files and in MLflow.
 */
public final class SamplingSettings {
    private SamplingSettings() {}

    /** Whether a dotted sweep key varies sampling only ({@code sampling} or {@code sampling.*}). */
    public static boolean isSamplingKey(String key) {
        return key.equals("sampling") || key.startsWith("sampling.");
    }

    /** Whether the config has sweep axes over sampling keys. */
    public static boolean swept(ExperimentConfig config) {
        return config.sweep().keySet().stream().anyMatch(SamplingSettings::isSamplingKey);
    }

    /**
     * The trial's sampling settings, its own ({@code config.sampling()}) first, each once; every point is
     * bound and validated as a config of its own (an error names the key and the sweep point).
     */
    public static List<SamplingConfig> of(ExperimentConfig config) {
        if (!swept(config)) {
            return List.of(config.sampling());
        }
        ObjectNode tree = ConfigMappers.BIND.valueToTree(config);
        ObjectNode axes = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, List<Object>> axis : config.sweep().entrySet()) {
            if (isSamplingKey(axis.getKey())) {
                axes.set(axis.getKey(), ConfigMappers.BIND.valueToTree(axis.getValue()));
            }
        }
        tree.set(ConfigSchema.SWEEP, axes);
        List<SamplingConfig> out = new ArrayList<>();
        out.add(config.sampling());
        for (ExperimentConfig point : Sweeps.points(tree, new Locations("config '" + config.name() + "'"))) {
            if (!out.contains(point.sampling())) {
                out.add(point.sampling());
            }
        }
        return List.copyOf(out);
    }

    /**
     * A short, stable name of a setting for file names and MLflow metric keys, e.g. {@code ddim50_w3_eta1}:
     * the sampler and its step count (when it takes one), the guidance weight, eta (when the sampler has
     * one), and per-object guidance, seed and raw (non-EMA) weights only when they are not the default.
     */
    public static String slug(SamplingConfig s) {
        StringBuilder b = new StringBuilder(s.samplerId());
        if (s.sampler().takesSteps()) {
            b.append(s.steps());
        }
        b.append("_w").append(number(s.guidance()));
        if (s.sampler().takesEta()) {
            b.append("_eta").append(number(s.eta()));
        }
        if (s.objectGuidance() != 0) {
            b.append("_v").append(number(s.objectGuidance()));
        }
        if (s.seed() != 0) {
            b.append("_s").append(s.seed());
        }
        if (!s.useEma()) {
            b.append("_raw");
        }
        String slug = b.toString().replace('-', 'm');
        if (s.cascaded()) {
            // the base model by its name (a package's or shipped model's folder, a checkpoint's run and file, a registered
            // model's name and version), then the augmentation level
            slug += "_" + baseName(s.base()) + "_a" + s.augmentation();
        }
        return slug;
    }

    /**
     * A short name of a base model reference, for slugs: {@code models:/m/3} -> {@code m.3}, {@code iclevr32} ->
     * {@code iclevr32}, {@code runs/iclevr32/default/checkpoints/epoch-0017.ckpt} -> {@code default.epoch-0017}; letters,
     * digits, '.', '-' only.
     */
    static String baseName(String base) {
        String b = base.replace('\\', '/');
        String name;
        if (b.startsWith("models:/")) {
            name = b.substring("models:/".length()).replace('/', '.').replace('@', '.');
        } else {
            String[] parts = b.replaceAll("/+$", "").split("/");
            String last = parts[parts.length - 1].replaceAll("\\.ckpt$", "");
            boolean inCheckpoints = parts.length >= 3 && parts[parts.length - 2].equals("checkpoints");
            name = inCheckpoints ? parts[parts.length - 3] + "." + last : last;
        }
        name = name.replaceAll("[^A-Za-z0-9.-]", "-");
        return name.length() > 40 ? name.substring(0, 40) : name;
    }

    /** 3.0 -> "3", 2.50 -> "2.5", 0.125 -> "0.125". */
    private static String number(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
