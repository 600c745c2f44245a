package io.cddpm.tracking;

/** What an outbox record asks MLflow to do. */
enum RecordKind {
    /** Create the MLflow run of a local run handle (and its experiment if needed). */
    CREATE_RUN,
    /** Metrics, params and tags of one run: sent with MLflow's log-batch. */
    LOG_BATCH,
    /** Terminate the run: FINISHED, FAILED or KILLED. */
    SET_STATUS,
    /** Upload one file through the tracking server's artifact proxy. */
    UPLOAD_ARTIFACT,
    /** An image with a step, as {@code mlflow.log_image(key=, step=)} lays it out (PUTs and a tag: idempotent). */
    LOG_IMAGE,
    /** Dataset inputs of a run ({@code runs/log-inputs}; MLflow keeps one input per run and dataset: idempotent). */
    LOG_INPUTS,
    /** An MLflow model directory (files and a generated MLmodel) in the run's artifacts (PUTs: idempotent). */
    LOG_MODEL,
    /** A new version of a registered model from the run's model directory; a retry finds the version it made. */
    REGISTER_MODEL,
    /** Tags on the model version made from the run (set-tag: idempotent). */
    TAG_MODEL_VERSION,
    /** An alias on the registered model's version with the highest score tag, chosen when delivered (idempotent). */
    SET_CHAMPION,
    /**
     * A view of the run's experiment in the MLflow UI (a shared view state: an experiment tag) with this run
     * expanded, as the UI's Share button makes one; set-experiment-tag: idempotent.
     */
    SHARE_VIEW
}
