package io.cddpm.runs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of a run's evaluations.json ({@code {"evaluations":[{...}, ...]}}), written after every
 * evaluation of a checkpoint.
 *
 * @param accuracy test file name (e.g. "test", "new_test") -> the course's accuracy, in the test files' order
 */
public record EvaluationRecord(
        int epoch, String checkpoint, String sampler, Integer steps, Double guidance, Map<String, Double> accuracy, String timestamp) {
    public EvaluationRecord {
        // the test files' order (Map.copyOf would iterate in a different order in every JVM)
        accuracy = accuracy == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(accuracy));
    }
}
