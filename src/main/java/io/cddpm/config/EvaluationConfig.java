package io.cddpm.config;

/**
 * The classifier that scores generated images.
 *
 * @param evaluator       {@code train} = train one on the dataset (cached by dataset hash), or a path
 *                        to weights (.safetensors or .pth)
 * @param evaluatorEpochs epochs when training one
 * @param evaluatorRenders when training one on rendered data: how many renders of the training spec it
 *                        learns from (the trial's own and N-1 more with the next seeds); more renders
 *                        keep it from overfitting. With N > 1 it is scored on 1,000 images of one
 *                        further render that it never saw.
 * @param evaluatorPrecision when training one: fp32, or bf16 mixed precision (about twice as fast on
 *                        CPUs with AVX512-BF16/AMX; weights stay fp32)
 */
public record EvaluationConfig(String evaluator, int evaluatorEpochs, int evaluatorRenders, Precision evaluatorPrecision) {
    /** The value of {@code evaluator} that asks for a classifier trained on the dataset. */
    public static final String TRAIN = "train";

    public static EvaluationConfig defaults() {
        return new EvaluationConfig(TRAIN, 10, 1, Precision.FP32);
    }

    /** True when the evaluator is trained on the dataset rather than read from a file. */
    public boolean trainsEvaluator() {
        return TRAIN.equals(evaluator);
    }
}
