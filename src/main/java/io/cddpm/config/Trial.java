package io.cddpm.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One point of a sweep grid.
 *
 * @param label  short, filesystem-safe name, e.g. {@code beta_schedule=linear,prediction_type=epsilon},
 *               or {@code default} without a sweep; the trial's directory name under
 *               {@code <output_dir>/<experiment name>/}
 * @param values the swept dotted keys and this trial's values (enum values as their ids), in sweep order
 * @param config the full config with these values applied and the sweep removed
 */
public record Trial(String label, Map<String, Object> values, ExperimentConfig config) {
    public Trial {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * The trial's run folder, {@code <output_dir>/<name>/<label>}, relative to the working directory
     * (the files in it are laid out by RunFolder in the runs package).
     */
    /**
     * The trial's name in the tracker: its swept values alone, e.g. {@code linear · epsilon} ("default"
     * without a sweep), so that the runs table, which cuts names short, tells trials apart; the keys are
     * the run's params (and its {@code cddpm.trial} tag holds the full label).
     */
    public String runName() {
        if (values.isEmpty()) {
            return label;
        }
        return String.join(" · ", values.values().stream().map(String::valueOf).toList());
    }

    public Path runDir() {
        return Path.of(config.outputDir(), config.name(), label);
    }
}
