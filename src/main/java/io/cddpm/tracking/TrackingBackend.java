package io.cddpm.tracking;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the outbox needs from an MLflow tracking server. Every method throws {@link DeliveryException}. */
interface TrackingBackend {
    /** An MLflow run's ids. */
    record CreatedRun(String runId, String experimentId, String artifactUri) {}

    /** Id of the experiment with this name, created if absent (restored if deleted). */
    String experimentId(String name) throws DeliveryException;

    /** Sets a tag of an experiment. */
    default void setExperimentTag(String experimentId, String key, String value) throws DeliveryException {
        throw new DeliveryException("this backend has no experiment tags", true, null);
    }

    /** Creates a run in the experiment with these tags (run name, parent, run key included by the caller). */
    CreatedRun createRun(String experimentId, String runName, long startTime, Map<String, String> tags)
            throws DeliveryException;

    /** The run of the experiment whose tag {@code cddpm.run_key} is runKey, if it exists. */
    Optional<CreatedRun> findRun(String experimentId, String runKey) throws DeliveryException;

    /** One log-batch request (within MLflow's per-request limits). */
    void logBatch(String runId, List<MetricPoint> metrics, Map<String, String> params, Map<String, String> tags)
            throws DeliveryException;

    /** All points of one metric of a run. */
    List<MetricPoint> metricHistory(String runId, String key) throws DeliveryException;

    /** Ends the run. */
    void terminate(String runId, RunState state, long endTime) throws DeliveryException;

    /** Uploads a file to artifactPath (relative, '/'-separated) under the run's artifact URI. */
    void upload(String artifactUri, String artifactPath, Path file) throws DeliveryException;

    /** Dataset inputs of a run (MLflow keeps one input per run and dataset, so a repeat adds nothing). */
    default void logInputs(String runId, List<DatasetInput> inputs) throws DeliveryException {
        throw new DeliveryException("this backend has no dataset inputs", true, null);
    }

    /**
     * The version of registered model name made from source by runId: the existing one, else a new one
     * (the registered model is created if absent); then its tags are set.
     *
     * @return the version number
     */
    default String registerModelVersion(String name, String source, String runId, Map<String, String> tags) throws DeliveryException {
        throw new DeliveryException("this backend has no model registry", true, null);
    }

    /** Tags on every version of registered model name made by runId (none: nothing to tag). */
    default void tagModelVersions(String name, String runId, Map<String, String> tags) throws DeliveryException {
        throw new DeliveryException("this backend has no model registry", true, null);
    }

    /** Points alias at the version of name with the highest numeric tag scoreTag; empty when no version has one. */
    default Optional<String> setBestAlias(String name, String alias, String scoreTag) throws DeliveryException {
        throw new DeliveryException("this backend has no model registry", true, null);
    }
}
