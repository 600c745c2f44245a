package io.cddpm.runs;

import io.cddpm.config.SamplingConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of a run's evaluations.json ({@code {"evaluations":[{...}, ...]}}), written after every
 * evaluation of a checkpoint, with the sampling settings that drew the scored images (entries written
 * before eta, object guidance and seed were recorded read them as null).
 *
 * @param steps    DDIM steps; null for DDPM (every training timestep)
 * @param accuracy test file name (e.g. "test", "new_test") -> the course's accuracy, in the test files' order
 */
public record EvaluationRecord(int epoch, String checkpoint, String sampler, Integer steps, Double eta, Double guidance,
        Double objectGuidance, Long seed, Map<String, Double> accuracy, String timestamp) {
    public EvaluationRecord {
        // the test files' order (Map.copyOf would iterate in a different order in every JVM)
        accuracy = accuracy == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(accuracy));
    }

    /** The record of images drawn with {@code s} from {@code checkpoint} (a path relative to the run folder). */
    public static EvaluationRecord of(int epoch, String checkpoint, SamplingConfig s, Map<String, Double> accuracy, String timestamp) {
        boolean ddim = s.ddim();
        return new EvaluationRecord(epoch, checkpoint, s.samplerId(), ddim ? s.steps() : null, ddim ? s.eta() : null, s.guidance(),
                s.objectGuidance(), s.seed(), accuracy, timestamp);
    }

    /** "ddim, 50 steps, eta 1.0, guidance 3.0" as far as recorded. */
    public String sampling() {
        return (sampler != null ? sampler : "?") + (steps != null ? ", " + steps + " steps" : "") + (eta != null ? ", eta " + eta : "")
                + (guidance != null ? ", guidance " + guidance : "")
                + (objectGuidance != null && objectGuidance != 0 ? ", object guidance " + objectGuidance : "")
                + (seed != null ? ", seed " + seed : "");
    }
}
