package io.cddpm.tracking;

/**
 * A dataset a run used, as MLflow records it ({@code runs/log-inputs}): shown on the run page and in
 * the experiment's dataset filter.
 *
 * @param name       dataset name
 * @param digest     content digest (the same data gives the same digest)
 * @param sourceType where it came from, e.g. {@code local} or {@code render}
 * @param source     JSON describing the source (a path, or the render spec and seed)
 * @param schema     JSON schema of a record, may be null
 * @param profile    JSON summary (counts), may be null
 * @param context    the run's use of it: {@code training} or {@code evaluation} (tag {@code mlflow.data.context})
 */
public record DatasetInput(String name, String digest, String sourceType, String source, String schema, String profile,
        String context) {
    /** The input tag MLflow's UI reads the context from. */
    public static final String CONTEXT_TAG = "mlflow.data.context";
    public static final String TRAINING = "training";
    public static final String EVALUATION = "evaluation";
}
