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
    UPLOAD_ARTIFACT
}
