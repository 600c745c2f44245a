package io.cddpm.runs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What produced a set of weights, so that every result can say exactly where it came from: the
 * cddpm version and git commit, DJL and libtorch, whether cddpm's native kernels ran, precision and
 * device, the data (a digest of the exact pixels and labels trained on, with where they came from),
 * the host, when, and the training wall time so far. Stored in every checkpoint and exported weights
 * file and logged as tags; {@code cddpm inspect} prints it.
 *
 * @param dataset       e.g. "render of train.json (seed 0, 18009 images, 32px) sha256:..." or "root /data/iclevr (...) sha256:..."
 * @param trainSeconds  training wall time up to these weights (all sessions of a resumed run)
 */
public record Provenance(
        String cddpmVersion,
        String gitCommit,
        String djlVersion,
        String libtorchVersion,
        String kernels,
        String precision,
        String device,
        String dataset,
        String host,
        String created,
        double trainSeconds) {

    /** The same provenance with the wall time up to a later point. */
    public Provenance withTrainSeconds(double seconds) {
        return new Provenance(cddpmVersion, gitCommit, djlVersion, libtorchVersion, kernels, precision, device, dataset, host, created,
                seconds);
    }

    /** As flat strings (safetensors metadata, tags), in a stable order. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cddpm_version", cddpmVersion);
        m.put("git_commit", gitCommit == null ? "unknown" : gitCommit);
        m.put("djl_version", djlVersion);
        m.put("libtorch_version", libtorchVersion);
        m.put("kernels", kernels);
        m.put("precision", precision);
        m.put("device", device);
        m.put("dataset", dataset);
        m.put("host", host);
        m.put("created", created);
        m.put("train_seconds", String.format("%.1f", trainSeconds));
        return m;
    }

    /** Reads what {@link #toMap()} wrote under prefix; empty when the map has none (weights from before provenance). */
    public static Optional<Provenance> fromMap(Map<String, String> m, String prefix) {
        if (!m.containsKey(prefix + "cddpm_version")) {
            return Optional.empty();
        }
        String secs = m.getOrDefault(prefix + "train_seconds", "0");
        return Optional.of(new Provenance(m.get(prefix + "cddpm_version"), m.get(prefix + "git_commit"), m.get(prefix + "djl_version"),
                m.get(prefix + "libtorch_version"), m.get(prefix + "kernels"), m.get(prefix + "precision"), m.get(prefix + "device"),
                m.get(prefix + "dataset"), m.get(prefix + "host"), m.get(prefix + "created"), Double.parseDouble(secs)));
    }

    /** The map with every key under prefix (e.g. "provenance." in safetensors metadata). */
    public Map<String, String> toMap(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        toMap().forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }
}
