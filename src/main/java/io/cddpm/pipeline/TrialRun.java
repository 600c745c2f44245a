package io.cddpm.pipeline;

import io.cddpm.config.Trial;
import io.cddpm.data.IclevrDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One trial travelling through the routes: its config, what the stages produced, and how it ended. */
public final class TrialRun {
    public enum Status { PENDING, SUCCEEDED, FAILED }

    private final Trial trial;
    private final int index;
    private final int count;
    private IclevrDataset dataset;
    private Path lastCheckpoint;
    private Path evaluator;
    private final List<Path> checkpoints = new ArrayList<>();
    private Status status = Status.PENDING;
    private String error;
    private io.cddpm.tracking.RunHandle tracking;
    private boolean reused;
    private boolean resumable;

    public TrialRun(Trial trial, int index, int count) {
        this.trial = trial;
        this.index = index;
        this.count = count;
    }

    public Trial trial() {
        return trial;
    }

    public Path runDir() {
        return trial.runDir();
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

    public List<Path> checkpoints() {
        return List.copyOf(checkpoints);
    }

    void addCheckpoint(Path p) {
        checkpoints.add(p);
    }

    /** The trial's MLflow run (null before the tracking stage). */
    public io.cddpm.tracking.RunHandle tracking() {
        return tracking;
    }

    void tracking(io.cddpm.tracking.RunHandle handle) {
        this.tracking = handle;
    }

    /** True when an identical finished trial exists: nothing is rerun. */
    public boolean isReused() {
        return reused;
    }

    /** Whether the routes still have work for this trial (used by the route's filter). */
    public boolean needsWork() {
        return !reused;
    }

    void reused(boolean value) {
        this.reused = value;
    }

    /** Whether checkpoints in the run folder belong to this same config (so training may continue from them). */
    boolean resumable() {
        return resumable;
    }

    void resumable(boolean value) {
        this.resumable = value;
    }

    public Status status() {
        return status;
    }

    public String error() {
        return error;
    }

    void succeed() {
        status = Status.SUCCEEDED;
    }

    void fail(String message) {
        status = Status.FAILED;
        error = message;
    }
}
