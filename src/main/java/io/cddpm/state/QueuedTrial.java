package io.cddpm.state;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a worker needs to run one trial of a submitted sweep, as it travels in the queue (a Quartz
 * job's data): the sweep (its parent run key), the trial's label, place in the sweep, run folder and
 * full resolved config, so a worker needs neither the YAML file nor the command line that submitted it.
 *
 * @param runDir     the trial's run folder, absolute (on storage every worker sees at the same path)
 * @param configYaml the trial's full config ({@code ConfigLoader.toYaml})
 */
public record QueuedTrial(String sweepKey, String label, int index, int count, String runDir, String configYaml) {
    private static final String SWEEP = "sweep", LABEL = "label", INDEX = "index", COUNT = "count", RUN_DIR = "runDir", CONFIG = "config";

    /** As string key-values (what a Quartz job data map with useProperties holds). */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SWEEP, sweepKey);
        m.put(LABEL, label);
        m.put(INDEX, Integer.toString(index));
        m.put(COUNT, Integer.toString(count));
        m.put(RUN_DIR, runDir);
        m.put(CONFIG, configYaml);
        return m;
    }

    /** Reads back {@link #toMap()}. */
    public static QueuedTrial fromMap(Map<String, ?> m) {
        return new QueuedTrial(string(m, SWEEP), string(m, LABEL), Integer.parseInt(string(m, INDEX)), Integer.parseInt(string(m, COUNT)),
                string(m, RUN_DIR), string(m, CONFIG));
    }

    private static String string(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("queued trial without '" + key + "'");
        }
        return v.toString();
    }

    /** "trial i of n (label)". */
    public String describe() {
        return "trial " + (index + 1) + " of " + count + " (" + label + ")";
    }
}
