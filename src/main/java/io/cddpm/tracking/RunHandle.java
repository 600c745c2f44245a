package io.cddpm.tracking;

/**
 * A run as cddpm knows it, usable at once even when MLflow is unreachable: its MLflow run id is
 * resolved later, when the outbox delivers the run's creation ({@link MlflowTracker#mlflowRunId}).
 * The key is stable: persist it to continue the same MLflow run after a restart
 * ({@link MlflowTracker#resumeRun(String)}).
 *
 * @param key        local run key (unique; also the MLflow tag {@code cddpm.run_key})
 * @param experiment MLflow experiment name
 * @param runName    MLflow run name
 */
public record RunHandle(String key, String experiment, String runName) {}
