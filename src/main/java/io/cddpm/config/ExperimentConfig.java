package io.cddpm.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One experiment (or sweep of experiments), exactly as read from its YAML file: every section has
 * defaults, so a file only states what differs. Built and validated by {@link ConfigLoader};
 * immutable afterwards.
 *
 * @param name       experiment name (MLflow experiment unless {@code tracking.experiment} is set)
 * @param outputDir  where trial folders go, relative to the working directory
 * @param resolution image side in pixels; a positive multiple of 2^(levels-1) of the model
 * @param sweep      dotted key -> values; the trials are the cartesian product (may be empty)
 */
public record ExperimentConfig(
        String name,
        String outputDir,
        DatasetConfig dataset,
        int resolution,
        ModelConfig model,
        DiffusionConfig diffusion,
        TrainingConfig training,
        SamplingConfig sampling,
        EvaluationConfig evaluation,
        TrackingConfig tracking,
        Map<String, List<Object>> sweep,
        ScheduleConfig schedule) {

    public ExperimentConfig {
        Map<String, List<Object>> copy = new LinkedHashMap<>();
        if (sweep != null) {
            sweep.forEach((k, v) -> copy.put(k, Collections.unmodifiableList(new ArrayList<>(v))));
        }
        sweep = Collections.unmodifiableMap(copy);
    }

    /** Every default, as documented in experiments/README.md (the YAML file states only what differs). */
    public static ExperimentConfig defaults() {
        return new ExperimentConfig(
                "experiment",
                "runs",
                DatasetConfig.defaults(),
                64,
                ModelConfig.defaults(),
                DiffusionConfig.defaults(),
                TrainingConfig.defaults(),
                SamplingConfig.defaults(),
                EvaluationConfig.defaults(),
                TrackingConfig.defaults(),
                Map.of(),
                ScheduleConfig.defaults());
    }

    /** The MLflow experiment name: {@code tracking.experiment}, or {@code name} when that is unset. */
    public String experimentName() {
        return tracking.experiment() != null ? tracking.experiment() : name;
    }

    /** True when this config has a non-empty {@code sweep:} grid. */
    public boolean hasSweep() {
        return !sweep.isEmpty();
    }

    /**
     * One trial per point of the sweep grid (cartesian product in a stable order: the first axis
     * varies slowest), each with the sweep values applied and the sweep removed; a config without a
     * sweep has exactly one trial labelled {@code default}.
     */
    public List<Trial> trials() {
        return Sweeps.expand(this);
    }
}
