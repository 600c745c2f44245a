package io.cddpm.runs;

import java.util.Map;

/**
 * One entry of a run's evaluations.json ({@code {"evaluations":[{...}, ...]}}), written after every
 * evaluation of a checkpoint.
 *
 * @param accuracy test file name (e.g. "test", "new_test") -> the course's accuracy
 */
public record EvaluationRecord(
        int epoch, String checkpoint, String sampler, Integer steps, Double guidance, Map<String, Double> accuracy, String timestamp) {
    public EvaluationRecord {
        accuracy = accuracy == null ? Map.of() : Map.copyOf(accuracy);
    }
}
