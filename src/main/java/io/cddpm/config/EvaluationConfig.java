package io.cddpm.config;

/**
 * The classifier that scores generated images.
 *
 * @param evaluator       {@code train} = train one on the dataset (cached by dataset hash), or a path
 *                        to weights (.safetensors or .pth)
 * @param evaluatorEpochs epochs when training one
 */
public record EvaluationConfig(String evaluator, int evaluatorEpochs) {
    /** The value of {@code evaluator} that asks for a classifier trained on the dataset. */
    public static final String TRAIN = "train";

    public static EvaluationConfig defaults() {
        return new EvaluationConfig(TRAIN, 10);
    }

    /** True when the evaluator is trained on the dataset rather than read from a file. */
    public boolean trainsEvaluator() {
        return TRAIN.equals(evaluator);
    }
}
