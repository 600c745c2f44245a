package io.cddpm.pipeline;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
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
     * How the lifecycle found the trial when it began: new, resumed, reused (the same training finished,
     * and every evaluation asked for is recorded), rescore (the same training finished, but its final
     * checkpoint is still to be scored under a sampling setting or evaluator: no training runs), or
     * running elsewhere (another process holds its run folder's lock: skipped here).
     */
    public enum Start { NEW, RESUMED, REUSED, RESCORE, ELSEWHERE }

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
    private SamplingConfig ownSampling;
    private boolean legacyEvaluator;
    private int failedEvaluations;

    public TrialRun(Trial trial, int index, int count) {
        this.trial = trial;
        this.folder = RunFolder.of(trial.runDir());
        this.index = index;
        this.count = count;
    }

    public Trial trial() {
        return trial;
    }

    /** 0-based position of the trial in its sweep. */
    public int index() {
        return index;
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

    /** Whether the trial trains (new or resumed; the route's first branch). */
    public boolean needsTraining() {
        return start == Start.NEW || start == Start.RESUMED;
    }

    /** Whether the trial's training is done and only its final checkpoint is scored (the route's second branch). */
    public boolean needsScoring() {
        return start == Start.RESCORE;
    }

    /**
     * The sampling setting the trial was trained and first scored with (its run folder's config.yaml, or
     * for a new trial its config's): its images are the trial's results and its accuracy is
     * {@code accuracy_<file>} in the tracker; other settings are scored beside it.
     */
    public SamplingConfig ownSampling() {
        return ownSampling != null ? ownSampling : trial.config().sampling();
    }

    /** Every sampling setting the trial is scored under at its final checkpoint: its own first, then its config's. */
    List<SamplingConfig> samplings() {
        List<SamplingConfig> out = new java.util.ArrayList<>();
        out.add(ownSampling());
        for (SamplingConfig s : SamplingSettings.of(trial.config())) {
            if (out.stream().noneMatch(o -> SamplingSettings.slug(o).equals(SamplingSettings.slug(s)))) {
                out.add(s);
            }
        }
        return out;
    }

    /** Whether evaluations recorded before evaluators were named count as scored by the trial's evaluator now. */
    boolean legacyEvaluator() {
        return legacyEvaluator;
    }

    /** How many evaluations failed in this process. */
    public int failedEvaluations() {
        return failedEvaluations;
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
            case REUSED, RESCORE -> TrialStatus.FINISHED;
            case ELSEWHERE -> TrialStatus.PENDING;
            default -> TrialStatus.RUNNING;
        };
        this.startedNanos = System.nanoTime();
    }

    /** What the lifecycle found in the trial's folder and row when it began. */
    void scoredBefore(SamplingConfig own, boolean legacy) {
        this.ownSampling = own;
        this.legacyEvaluator = legacy;
    }

    void evaluationFailed() {
        failedEvaluations++;
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
