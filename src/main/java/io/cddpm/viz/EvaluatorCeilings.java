package io.cddpm.viz;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.model.Safetensors;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.runs.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The held-out accuracy of each evaluator that scored a run: how well it recognises the labels of
 * real (rendered) scenes it did not train on, and so the ceiling of the accuracies it gives samples;
 * an accuracy means little without it (the quick demo's evaluator, trained on 480 images, scores
 * about 0.5). Read from the {@code heldout_accuracy} its training wrote into the evaluator's
 * safetensors metadata, where the run's evaluators are: a trained one in the output folder's
 * {@code evaluators/} (where the pipeline caches them; a run folder is
 * {@code <output_dir>/<name>/<trial>}), or the weights file the config names. An evaluator whose file
 * is not there or holds no such figure (a {@code .pth}) has none.
 */
public final class EvaluatorCeilings {
    /** Under this held-out accuracy an evaluator's scores are labelled unreliable wherever they are shown. */
    public static final double RELIABLE = 0.9;
    private static final String METADATA_KEY = "heldout_accuracy";
    private static final String TRAINED_FOLDER = "evaluators";

    private EvaluatorCeilings() {}

    /** Evaluator (as evaluations.json names it, "FILE#SHA") -> its held-out accuracy, for those known. */
    public static Map<String, Double> of(RunFolder run, ExperimentConfig config, List<EvaluationRecord> evaluations) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (EvaluationRecord e : evaluations) {
            String id = e.evaluator();
            if (id != null && !out.containsKey(id)) {
                heldOut(run, config, id.contains("#") ? id.substring(0, id.indexOf('#')) : id).ifPresent(a -> out.put(id, a));
            }
        }
        return out;
    }

    /** An evaluator weights file's held-out accuracy, if its metadata records one. */
    public static Optional<Double> of(Path weights) {
        if (weights == null || !weights.getFileName().toString().endsWith(".safetensors") || !Files.isRegularFile(weights)) {
            return Optional.empty();
        }
        try {
            String value = Safetensors.metadata(weights).get(METADATA_KEY);
            return value == null ? Optional.empty() : Optional.of(Double.parseDouble(value));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** " (evaluator ceiling 0.9920)", or with a held-out accuracy under {@link #RELIABLE} a warning that these accuracies mean little. */
    public static String label(double ceiling) {
        return ceiling < RELIABLE
                ? String.format(java.util.Locale.ROOT, " (UNRELIABLE: the evaluator's held-out accuracy, their ceiling, is %.4f, under %.2f)",
                        ceiling, RELIABLE)
                : String.format(java.util.Locale.ROOT, " (evaluator ceiling %.4f)", ceiling);
    }

    private static Optional<Double> heldOut(RunFolder run, ExperimentConfig config, String fileName) {
        for (Path candidate : candidates(run, config, fileName)) {
            if (candidate.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(candidate)) {
                try {
                    String value = Safetensors.metadata(candidate).get(METADATA_KEY);
                    if (value != null) {
                        return Optional.of(Double.parseDouble(value));
                    }
                } catch (RuntimeException unreadable) {
                    // not a readable safetensors file: no figure from it
                }
            }
        }
        return Optional.empty();
    }

    private static List<Path> candidates(RunFolder run, ExperimentConfig config, String fileName) {
        List<Path> out = new ArrayList<>();
        Path output = run.dir().toAbsolutePath().normalize().getParent();
        output = output == null ? null : output.getParent();
        if (output != null) {
            out.add(output.resolve(TRAINED_FOLDER).resolve(fileName));
        }
        if (config != null && !config.evaluation().trainsEvaluator()) {
            Path given = Path.of(config.evaluation().evaluator());
            if (given.getFileName() != null && given.getFileName().toString().equals(fileName)) {
                out.add(given);
            }
        }
        return out;
    }
}
