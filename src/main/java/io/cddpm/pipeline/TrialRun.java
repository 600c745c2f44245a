package io.cddpm.pipeline;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.data.IclevrDataset;
import io.cddpm.runs.RunFolder;
import io.cddpm.state.TrialStatus;
import io.cddpm.tracking.RunHandle;
import java.nio.file.Path;

/**
 * One trial travelling through the routes: its config and folder, what the stages produced, and where
 * it stands. Its status changes only through {@link TrialLifecycle}.
 */
public final class TrialRun {
    /** How the lifecycle found the trial when it began. */
    public enum Start { NEW, RESUMED, REUSED }

    private final Trial trial;
    private final RunFolder folder;
    private final int index;
    private final int count;
    private IclevrDataset dataset;
    private Path lastCheckpoint;
    private Path evaluator;
    private TrialStatus status = TrialStatus.PENDING;
    private Start start = Start.NEW;
    private String error;
    private RunHandle tracking;
    private long startedNanos;

    public TrialRun(Trial trial, int index, int count) {
        this.trial = trial;
        this.folder = RunFolder.of(trial.runDir());
        this.index = index;
        this.count = count;
    }

    public Trial trial() {
        return trial;
    }

    public ExperimentConfig config() {
        return trial.config();
    }

    public RunFolder folder() {
        return folder;
    }

    /** "trial i of n (label)" for console progress. */
    public String describe() {
        return "trial " + (index + 1) + " of " + count + " (" + trial.label() + ")";
    }

    IclevrDataset dataset() {
        return dataset;
    }

    void dataset(IclevrDataset d) {
        this.dataset = d;
    }

    public Path lastCheckpoint() {
        return lastCheckpoint;
    }

    void lastCheckpoint(Path p) {
        this.lastCheckpoint = p;
    }

    /** The evaluator weights this trial is scored with (set by the classification stage). */
    public Path evaluator() {
        return evaluator;
    }

    void evaluator(Path weights) {
        this.evaluator = weights;
    }

    /** The trial's tracker run (null before the lifecycle began it). */
    public RunHandle tracking() {
        return tracking;
    }

    public Start start() {
        return start;
    }

    /** Whether the routes still have work for this trial (used by the route's filter). */
    public boolean needsWork() {
        return start != Start.REUSED;
    }

    public TrialStatus status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** Seconds since the lifecycle began the trial in this process. */
    double secondsSinceStart() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    // ---- transitions, called by TrialLifecycle only ------------------------------------------

    void begin(Start how, RunHandle handle) {
        this.start = how;
        this.tracking = handle;
        this.status = how == Start.REUSED ? TrialStatus.FINISHED : TrialStatus.RUNNING;
        this.startedNanos = System.nanoTime();
    }

    void finished() {
        status = TrialStatus.FINISHED;
    }

    void failed(String message) {
        status = TrialStatus.FAILED;
        error = message;
    }
}
