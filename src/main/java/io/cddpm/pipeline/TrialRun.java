package io.cddpm.pipeline;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.data.IclevrDataset;
import io.cddpm.runs.RunFolder;
import io.cddpm.state.TrialStatus;
import io.cddpm.tracking.RunHandle;
import java.nio.file.Path;
import java.util.List;

/**
 * One trial travelling through the routes: its config and folder, what the stages produced, and where
 * it stands. Its status changes only through {@link TrialLifecycle}.
 */
public final class TrialRun {
    /**
     * How the lifecycle found the trial when it began: new, resumed, reused (an identical config already
     * finished), or running elsewhere (another process holds its run folder's lock: skipped here).
     */
    public enum Start { NEW, RESUMED, REUSED, ELSEWHERE }

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
    private RunFolder.Lock lock;
    private boolean interrupted;
    private String placement;

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

    /**
     * Trains on device (a worker's {@code --device}) instead of the config's {@code training.device}: where
     * it runs is not what it is, so the trial's identity (config hash), params and resume stay those of its config.
     */
    public void placement(String device) {
        this.placement = device;
    }

    /** The config the trainer gets: the trial's, on the worker's device when it has one. */
    ExperimentConfig trainingConfig() {
        return placement == null ? trial.config() : ConfigLoader.override(trial.config(), List.of("training.device=" + placement));
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
        return start != Start.REUSED && start != Start.ELSEWHERE;
    }

    /** Skipped because another process is running it (neither failed nor finished here). */
    public boolean skipped() {
        return start == Start.ELSEWHERE;
    }

    /** Stopped by a stop request (SIGTERM, Ctrl-C) with its progress checkpointed: it continues on the next run. */
    public boolean interrupted() {
        return interrupted;
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
        this.status = switch (how) {
            case REUSED -> TrialStatus.FINISHED;
            case ELSEWHERE -> TrialStatus.PENDING;
            default -> TrialStatus.RUNNING;
        };
        this.startedNanos = System.nanoTime();
    }

    /** Skipped: its run folder is locked by holder. */
    void elsewhere(String holder) {
        begin(Start.ELSEWHERE, null);
        error = "running elsewhere: " + holder;
    }

    /** The run folder's lock, held from begin to finish or fail. */
    void lock(RunFolder.Lock l) {
        this.lock = l;
    }

    void unlock() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    void finished() {
        status = TrialStatus.FINISHED;
        unlock();
    }

    void failed(String message) {
        status = TrialStatus.FAILED;
        error = message;
        unlock();
    }

    /** Stopped on request; it stays RUNNING in the state database (resumable). */
    void interrupted(String message) {
        interrupted = true;
        error = message;
        unlock();
    }
}
