package io.cddpm.tracking;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the pipeline records about its runs: runs (a sweep = a parent run with a child run per trial),
 * params, tags, metrics, artifacts and the end state. Calls never fail because the tracking server
 * is away; {@link MlflowTracker} is the real implementation (an outbox delivered to MLflow). The
 * handles are usable at once and stable across processes (persist {@link RunHandle#key()} to go on
 * logging into the same run after a restart).
 */
public interface Tracker extends AutoCloseable {
    /** The tracking server's address (for messages). */
    String uri();

    /** A new top-level run in the experiment (created if absent). */
    RunHandle startRun(String experiment, String runName, Map<String, String> tags);

    /** A new child run of parent, e.g. one trial of a sweep. */
    RunHandle startChildRun(RunHandle parent, String runName, Map<String, String> tags);

    /** The run with this key, if this tracker's database knows it. */
    Optional<RunHandle> resumeRun(String runKey);

    /** Params; a param's value cannot change once logged. */
    void logParams(RunHandle run, Map<String, String> params);

    void setTags(RunHandle run, Map<String, String> tags);

    /** Several metric values at one step, timestamped now. */
    void logMetrics(RunHandle run, Map<String, Double> values, long step);

    /** Metric points with their own timestamps. */
    void logPoints(RunHandle run, List<MetricPoint> points);

    /**
     * Training-progress metrics at step: a (key, step) at or below the highest step already logged for
     * that key in this run is dropped, so a trial resumed from a checkpoint logs each step once.
     * Cheap enough for every training step.
     */
    void logProgress(RunHandle run, Map<String, Double> values, long step);

    /**
     * The highest step logged through {@link #logProgress} for key in run, by this process or an earlier one
     * (so a resumed run can go on counting); -1 when none.
     */
    default long lastProgressStep(RunHandle run, String key) {
        return -1;
    }

    /**
     * Makes the progress metrics logged so far durable now (e.g. before a checkpoint is written, so a
     * process killed right after the checkpoint loses none of the steps the checkpoint covers).
     */
    default void flushProgress() {}

    /** Uploads a file to artifactDir ("" = the run's artifact root) under its own name. */
    void logArtifact(RunHandle run, Path file, String artifactDir);

    /**
     * An image at a step, laid out as MLflow's {@code log_image(key=, step=)} does (with the "+" separator the UI also reads), so the run page and
     * the experiment's chart view show it with a step slider. The file is read when the record is
     * delivered: keep it in place. key: letters, digits, '_', '-', '.', ' '.
     */
    default void logImage(RunHandle run, Path png, String key, long step) {}

    /** Datasets the run used (training data, evaluation files), shown as the run's inputs. */
    default void logInputs(RunHandle run, List<DatasetInput> inputs) {}

    /**
     * An MLflow model directory in the run's artifacts: the files (name in the directory -> local file,
     * read when delivered) and an MLmodel naming the custom flavor with flavorConf, and metadata.
     */
    default void logModel(RunHandle run, String artifactPath, String flavor, Map<String, Path> files, Map<String, String> flavorConf,
            Map<String, String> metadata) {}

    /** Registers the run's model directory at artifactPath as a new version of modelName, with tags (created if absent). */
    default void registerModel(RunHandle run, String modelName, String artifactPath, Map<String, String> versionTags) {}

    /** Sets tags on the version(s) of modelName registered from this run. */
    default void tagModelVersion(RunHandle run, String modelName, Map<String, String> tags) {}

    /**
     * Points alias at the version of modelName with the highest numeric tag scoreTag, chosen among all its
     * versions when the record is delivered. run: any run of the tracker (the record travels with it).
     */
    default void setBestAlias(RunHandle run, String modelName, String alias, String scoreTag) {}

    /**
     * A view of the run's experiment in the MLflow UI, opened by {@link #viewLink}: state is the UI's view
     * state (search facets and UI state, as its Share button stores it) and run the run shown expanded.
     */
    default void shareView(RunHandle run, String shareKey, Map<String, Object> state) {}

    /** The address of the experiment's shared view on this tracker's server ({@code URI/#/experiments/ID?...}), if it can be had now. */
    default Optional<String> viewLink(String experiment, String shareKey) {
        return Optional.empty();
    }

    /** Ends the run as FINISHED. */
    void finishRun(RunHandle run);

    /** Ends the run as FAILED, with the error as its description. */
    void failRun(RunHandle run, String error);

    /** Records this tracker queued (and any queued before them) not yet delivered to the server. */
    int pendingCount();

    /** Delivers what it can within the tracker's close timeout, once; what is left waits for the next run. */
    @Override
    void close();
}
