package io.cddpm.runs;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.diffusion.SamplerKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of a run's evaluations.json ({@code {"evaluations":[{...}, ...]}}): the scores of one
 * checkpoint drawn with one sampling setting and scored by one evaluator ({@link #key()}), one accuracy
 * per condition file. Rows written before some fields existed read them as null: eta, object guidance
 * and seed (then the defaults), ema (then true), setting (derived), evaluator (then "the evaluator the
 * trial was configured with").
 *
 * @param steps     the sampler's step count; null for samplers that run every training timestep (DDPM)
 * @param setting   the sampling setting's short name ({@link SamplingSettings#slug}), e.g. {@code ddim50_w3_eta1}
 * @param evaluator which evaluator scored the images: its file name and the start of its SHA-256
 * @param accuracy  condition file name (e.g. "test", "new_test") -> the course's accuracy, in the files' order
 * @param status    null when scored; {@value #FAILED} when the evaluation failed (then error says why; any
 *                  accuracies are from an earlier, successful call)
 */
public record EvaluationRecord(int epoch, String checkpoint, String setting, String sampler, Integer steps, Double eta, Double guidance,
        Double objectGuidance, Long seed, Boolean ema, String evaluator, Map<String, Double> accuracy, String status, String error,
        String timestamp) {
    public static final String FAILED = "failed";

    /** What identifies an evaluation: the checkpoint (relative to the run folder), the sampling setting and the evaluator. */
    public record Key(String checkpoint, String setting, String evaluator) {}

    public EvaluationRecord {
        // the condition files' order (Map.copyOf would iterate in a different order in every JVM)
        accuracy = accuracy == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(accuracy));
    }

    /** The record of images drawn with {@code s} from {@code checkpoint} (a path relative to the run folder), scored by evaluator. */
    public static EvaluationRecord of(int epoch, String checkpoint, SamplingConfig s, String evaluator, Map<String, Double> accuracy,
            String timestamp) {
        return new EvaluationRecord(epoch, checkpoint, SamplingSettings.slug(s), s.samplerId(), s.sampler().takesSteps() ? s.steps() : null,
                s.sampler().takesEta() ? s.eta() : null, s.guidance(), s.objectGuidance(), s.seed(), s.useEma(), evaluator, accuracy, null, null,
                timestamp);
    }

    /** The record of an evaluation that failed with error, keeping the accuracies of earlier (e.g. partial) calls. */
    public EvaluationRecord asFailed(String message, String at) {
        return new EvaluationRecord(epoch, checkpoint, setting(), sampler, steps, eta, guidance, objectGuidance, seed, ema, evaluator, accuracy,
                FAILED, message, at);
    }

    /** This record with more (or newer) accuracies, scored successfully at {@code at}. */
    public EvaluationRecord withScores(Map<String, Double> scores, String at) {
        Map<String, Double> merged = new LinkedHashMap<>(accuracy);
        merged.putAll(scores);
        return new EvaluationRecord(epoch, checkpoint, setting(), sampler, steps, eta, guidance, objectGuidance, seed, ema, evaluator, merged,
                null, null, at);
    }

    /** Whether the last call for this key failed. */
    @JsonIgnore
    public boolean failed() {
        return FAILED.equals(status);
    }

    /** The sampling setting's short name, derived from the fields for rows written before it was recorded. */
    @Override
    public String setting() {
        if (setting != null) {
            return setting;
        }
        SamplerKind kind = SamplerKind.of(sampler == null ? "ddim" : sampler);
        return SamplingSettings.slug(new SamplingConfig(kind, steps == null ? 0 : steps, eta == null ? 0 : eta, guidance == null ? 1 : guidance,
                objectGuidance == null ? 0 : objectGuidance, seed == null ? 0 : seed, ema == null || ema));
    }

    @JsonIgnore
    public Key key() {
        return new Key(checkpoint, setting(), evaluator);
    }

    /** The mean accuracy over the scored files; NaN when none was scored. */
    @JsonIgnore
    public double meanAccuracy() {
        return accuracy.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** "ddim, 50 steps, eta 1.0, guidance 3.0" as far as recorded. */
    public String sampling() {
        return (sampler != null ? sampler : "?") + (steps != null ? ", " + steps + " steps" : "") + (eta != null ? ", eta " + eta : "")
                + (guidance != null ? ", guidance " + guidance : "")
                + (objectGuidance != null && objectGuidance != 0 ? ", object guidance " + objectGuidance : "")
                + (seed != null ? ", seed " + seed : "") + (ema != null && !ema ? ", raw weights" : "");
    }
}
