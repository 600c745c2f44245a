package io.cddpm.tracking;

/** How a run ended (MLflow run status). */
public enum RunState {
    FINISHED,
    FAILED,
    KILLED
}
