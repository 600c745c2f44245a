package io.cddpm.pipeline;

import io.cddpm.config.ConfigFlattener;
import io.cddpm.config.ConfigHash;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.config.Trial;
import io.cddpm.core.BuildInfo;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.StopRequest;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.IclevrDataset;
import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.runs.Provenance;
import io.cddpm.runs.RunFolder;
import io.cddpm.state.TrialStatus;
import io.cddpm.state.TrialStore;
import io.cddpm.tracking.DatasetInput;
import io.cddpm.tracking.MetricPoint;
import io.cddpm.tracking.RunHandle;
import io.cddpm.tracking.RunTags;
import io.cddpm.tracking.SystemMetrics;
import io.cddpm.tracking.Tracker;
import io.cddpm.train.TrainingListener;
import io.cddpm.viz.EvaluatorCeilings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a trial, kept consistent in the state database and the tracker: begun (new, resumed
 * after a crash or a kill, or reused because an identical config already finished), its evaluator,
 * checkpoints and evaluations, then finished or failed; and the sweep's parent run around the
 * trials. The routes call {@link #begin}, {@link #finish} and {@link #fail}; the stages report what
 * happens in between. Console lines about a trial's life come from here.
 */
public final class TrialLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(TrialLifecycle.class);
    private static final String KIND_TAG = "cddpm.kind";
    private static final String TRIAL_TAG = "cddpm.trial";

    private final Tracker tracker;
    private final TrialStore store;
    private final PrintStream console;
    private final RunHandle parent;
    private final Map<TrialRun, TrialLog> logs = new IdentityHashMap<>();
    private final boolean overwrite;
    /** Who runs the trials begun here, as the state database records it: a worker's id, or "host pid N". */
    private final String worker;
    /** The last run re-evaluated, so the champion alias can be set after re-evaluation. */
    private RunHandle lastReevaluated;

    /** {@link #TrialLifecycle(Tracker, TrialStore, ExperimentConfig, PrintStream, boolean)} without overwriting. */
    public TrialLifecycle(Tracker tracker, TrialStore store, ExperimentConfig experiment, PrintStream console) {
        this(tracker, store, experiment, console, false);
    }

    /**
     * Opens the sweep's parent run: the one of the same experiment and training identity (left unfinished
     * by a kill or crash, or finished: the same sweep run again, e.g. to score new sampling settings), or a
     * new one.
     *
     * @param overwrite whether a trial whose folder holds the results of another config may replace them
     *                  ({@code --overwrite}); without it such a trial is refused
     */
    public TrialLifecycle(Tracker tracker, TrialStore store, ExperimentConfig experiment, PrintStream console, boolean overwrite) {
        this(tracker, store, console, openParent(tracker, store, experiment), overwrite, thisProcess());
    }

    private TrialLifecycle(Tracker tracker, TrialStore store, PrintStream console, RunHandle parent, boolean overwrite, String worker) {
        this.tracker = tracker;
        this.store = store;
        this.console = console;
        this.parent = parent;
        this.overwrite = overwrite;
        this.worker = worker;
    }

    private static RunHandle openParent(Tracker tracker, TrialStore store, ExperimentConfig experiment) {
        String hash = ConfigHash.ofExperiment(experiment);
        // the same experiment run again continues its sweep's parent run (its trials are reused, scored or continued)
        RunHandle open = store.openSweep(experiment.experimentName(), hash).flatMap(tracker::resumeRun).orElse(null);
        if (open != null) {
            store.reopenSweep(open.key());
        } else {
            Map<String, String> tags = new LinkedHashMap<>(RunTags.standard(hash, experiment.training().device()));
            tags.put(KIND_TAG, "sweep");
            tags.put("cddpm.trials", Integer.toString(experiment.trials().size()));
            tags.put(RunTags.COLOR, RunTags.PARENT_COLOR);
            open = tracker.startRun(experiment.experimentName(), experiment.name(), tags);
            tracker.logParams(open, Map.of("sweep", experiment.sweep().toString()));
            store.startSweep(open.key(), experiment.experimentName(), hash);
        }
        return open;
    }

    /** This process as the state database names the runner of a trial: "HOST pid N". */
    static String thisProcess() {
        return BuildInfo.host() + " pid " + ProcessHandle.current().pid();
    }

    /** Re-evaluation works on finished trials only: no parent run of its own. */
    private TrialLifecycle(Tracker tracker, TrialStore store, PrintStream console) {
        this(tracker, store, console, null, false, thisProcess());
    }

    /** A lifecycle for re-evaluating finished trials (it starts and ends no runs). */
    static TrialLifecycle forReevaluation(Tracker tracker, TrialStore store, PrintStream console) {
        return new TrialLifecycle(tracker, store, console);
    }

    /**
     * A lifecycle for one trial of a submitted sweep, run by worker: its parent run is the sweep's (made
     * when it was submitted), and the worker that ends the sweep's last trial ends the sweep.
     */
    static TrialLifecycle forSubmittedTrial(Tracker tracker, TrialStore store, String sweepKey, PrintStream console, String worker) {
        RunHandle parent = tracker.resumeRun(sweepKey).orElseThrow(() -> new IllegalStateException("sweep " + sweepKey
                + ": the state database has no tracking run with that key (was it submitted to this state database?)"));
        return new TrialLifecycle(tracker, store, console, parent, false, worker);
    }

    // ---- the route's edges --------------------------------------------------------------------

    /**
     * Refuses, before anything starts, a sweep whose trial folders hold results of another config (or of
     * a training this state database does not know, e.g. {@code cddpm train}'s), unless overwrite: names
     * the folders and {@code --overwrite}.
     */
    public static void refuseOverwrites(TrialStore store, List<Trial> trials, boolean overwrite) {
        if (overwrite) {
            return;
        }
        List<String> conflicts = new ArrayList<>();
        for (Trial t : trials) {
            conflict(store, t.runDir(), ConfigHash.of(t.config())).ifPresent(conflicts::add);
        }
        if (!conflicts.isEmpty()) {
            throw new InvalidInputException("not overwriting earlier results: " + String.join("; ", conflicts)
                    + ". Run again with --overwrite to replace them, or give the changed config its own name or output_dir");
        }
    }

    /**
     * Why starting the config with this hash in runDir would overwrite earlier results, if it would: the
     * folder holds files of a trial recorded with another config hash (FINISHED, RUNNING or FAILED alike:
     * its checkpoints belong to that config), or files of a training the state database has no record of.
     */
    static Optional<String> conflict(TrialStore store, Path runDir, String hash) {
        RunFolder folder = RunFolder.of(runDir);
        if (!folder.exists()) {
            return Optional.empty();
        }
        Optional<TrialStore.Row> row = store.find(runDir);
        if (row.isEmpty()) {
            return Optional.of(folder.dir() + " holds results this state database has no record of (e.g. from `cddpm train`)");
        }
        if (!row.get().configHash().equals(hash)) {
            return Optional.of(folder.dir() + " holds the results of a " + row.get().status() + " trial with another config (hash "
                    + row.get().configHash().substring(0, 12) + ", now " + hash.substring(0, 12) + ")");
        }
        return Optional.empty();
    }

    /**
     * Begins a trial: its run folder is locked first (a trial another process is running is skipped,
     * saying which process, and marked neither failed nor finished); an identical FINISHED trial is reused
     * (not rerun); an unfinished one with the same config continues its tracker run and checkpoints; a
     * folder with another config's results is refused unless overwrite (then cleared); anything else
     * starts a new child run.
     */
    public TrialRun begin(TrialRun run) {
        StopRequest.check();
        Optional<RunFolder.Lock> lock = run.folder().tryLock();
        if (lock.isEmpty()) {
            run.elsewhere(run.folder().lockHolder());
            console.println(run.describe() + ": skipped: another cddpm process is running it (" + run.folder().lockHolder() + ", lock "
                    + run.folder().lockFile() + ")");
            return run;
        }
        run.lock(lock.get());
        try {
            return beginLocked(run);
        } catch (RuntimeException e) {
            run.unlock();
            throw e;
        }
    }

    private TrialRun beginLocked(TrialRun run) {
        ExperimentConfig c = run.config();
        String hash = ConfigHash.of(c);
        Optional<TrialStore.Row> row = store.find(run.folder().dir());
        boolean sameConfig = row.isPresent() && row.get().configHash().equals(hash);
        SamplingConfig own = run.folder().ownSampling().orElse(c.sampling());
        boolean legacy = sameConfig && sameEvaluation(row.get(), c);
        run.scoredBefore(own, legacy);
        if (sameConfig && row.get().status() == TrialStatus.FINISHED) {
            return beginFinished(run, row.get());
        }
        Optional<String> conflict = conflict(store, run.folder().dir(), hash);
        if (conflict.isPresent()) {
            if (!overwrite) {
                throw new InvalidInputException("not overwriting earlier results: " + conflict.get()
                        + ". Run again with --overwrite to replace them, or give the changed config its own name or output_dir");
            }
            console.println(run.describe() + ": --overwrite: deleting what " + conflict.get().replace(" holds ", " held: "));
            run.folder().clear();
            run.scoredBefore(c.sampling(), false);
        }
        RunHandle handle = sameConfig && row.get().runKey() != null ? tracker.resumeRun(row.get().runKey()).orElse(null) : null;
        // a submitted trial no worker has begun yet has a row but nothing to continue
        boolean resumed = sameConfig && row.get().runKey() != null;
        if (handle == null) {
            Map<String, String> tags = new LinkedHashMap<>(RunTags.standard(hash, c.training().device()));
            tags.put(TRIAL_TAG, run.trial().label());
            tags.put(RunTags.COLOR, RunTags.trialColor(run.index()));
            handle = tracker.startChildRun(parent, run.trial().runName(), tags);
            tracker.logParams(handle, ConfigFlattener.flatten(c));
        }
        run.begin(resumed ? TrialRun.Start.RESUMED : TrialRun.Start.NEW, handle);
        logs.put(run, TrialLog.open(run.folder().log()));
        store.start(run.folder().dir(), c.experimentName(), run.trial().label(), hash, ConfigLoader.toYaml(c), handle.key(),
                parent == null ? null : parent.key(), worker);
        console.println(run.describe() + ": " + (resumed ? "continuing" : "starting") + " in " + run.folder().dir());
        return run;
    }

    /**
     * A trial whose training finished: reused when its final checkpoint is scored under every sampling
     * setting asked for, with the evaluator asked for; otherwise it is scored (no training runs) in its
     * own tracker run.
     */
    private TrialRun beginFinished(TrialRun run, TrialStore.Row row) {
        RunHandle handle = row.runKey() == null ? null : tracker.resumeRun(row.runKey()).orElse(null);
        Optional<Path> last = run.folder().newestCheckpoint();
        List<String> unscored = last.isEmpty() ? List.of() : unscored(run, last.get());
        if (unscored.isEmpty()) {
            run.begin(TrialRun.Start.REUSED, handle);
            run.unlock();
            console.println(run.describe() + ": reused (the same training finished in " + run.folder().dir() + ", every evaluation asked for is recorded)");
            return run;
        }
        run.lastCheckpoint(last.get());
        run.begin(TrialRun.Start.RESCORE, handle);
        logs.put(run, TrialLog.open(run.folder().log()));
        console.println(run.describe() + ": the same training finished in " + run.folder().dir() + "; scoring its final checkpoint ("
                + run.folder().relative(last.get()) + ") under " + String.join(", ", unscored) + ": no training");
        return run;
    }

    /** The sampling settings (or evaluator) under which a finished trial's final checkpoint is not scored yet, as short names. */
    List<String> unscored(Trial trial) {
        TrialRun run = new TrialRun(trial, 0, 1);
        boolean legacy = store.find(trial.runDir()).map(r -> sameEvaluation(r, trial.config())).orElse(false);
        run.scoredBefore(run.folder().ownSampling().orElse(trial.config().sampling()), legacy);
        return run.folder().newestCheckpoint().map(last -> unscored(run, last)).orElse(List.of());
    }

    /** The sampling settings (and evaluator) under which the final checkpoint is not scored yet, as short names. */
    private static List<String> unscored(TrialRun run, Path last) {
        ExperimentConfig c = run.config();
        Optional<Path> evaluator = EvaluatorWeights.cached(c);
        List<String> out = new ArrayList<>();
        if (evaluator.isEmpty()) {
            // the evaluator is gone from its cache: with the evaluation config the trial was scored with, any
            // row of a setting counts; with another one, nothing is scored by it yet
            String checkpoint = run.folder().relative(last);
            List<String> files = ClassificationStage.testFiles(c).stream().map(ConditionFile::name).toList();
            for (SamplingConfig s : run.samplings()) {
                String setting = SamplingSettings.slug(s);
                boolean scored = run.legacyEvaluator() && run.folder().readEvaluations().stream().anyMatch(r -> checkpoint.equals(r.checkpoint())
                        && setting.equals(r.setting()) && r.accuracy().keySet().containsAll(files));
                if (!scored) {
                    out.add(setting);
                }
            }
            if (!out.isEmpty() && !run.legacyEvaluator()) {
                out.add("a new evaluator");
            }
            return out;
        }
        try (CheckpointEvaluation evaluation = new CheckpointEvaluation(run.folder(), evaluator.get(), ClassificationStage.testFiles(c),
                c.training().batchSize(), SamplingSettings.slug(run.ownSampling()), run.legacyEvaluator())) {
            for (SamplingConfig s : run.samplings()) {
                if (!evaluation.pending(last, s).isEmpty()) {
                    out.add(SamplingSettings.slug(s));
                }
            }
        }
        return out;
    }

    /** Whether the trial's row was recorded with the evaluation config it has now (its rows without an evaluator name then count). */
    private static boolean sameEvaluation(TrialStore.Row row, ExperimentConfig c) {
        try {
            return row.config() != null && ConfigLoader.fromYaml(row.config(), "the state database's config of " + row.runDir())
                    .evaluation().equals(c.evaluation());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The trial's files go to the tracker, its run ends FINISHED, and so does its row. */
    public TrialRun finish(TrialRun run) {
        uploadArtifacts(run);
        TrialSummary summary = TrialSummary.of(run.trial().label(), run.folder(), run.secondsSinceStart());
        registerModel(run, summary);
        tracker.setTags(run.tracking(), Map.of(NOTE_TAG, summary.markdown()));
        tracker.finishRun(run.tracking());
        store.finish(run.folder().dir());
        run.finished();
        console.printf("%s: done in %.0f s%s%n", run.describe(), run.secondsSinceStart(), failures(run));
        closeLog(run);
        return run;
    }

    /**
     * A finished trial was scored under new settings: its files go to the tracker again, its registered
     * version's tags follow its best setting, and the champion alias is chosen again. The trial stays
     * FINISHED (its row and run are not touched otherwise).
     */
    public TrialRun finishScoring(TrialRun run) {
        if (run.tracking() != null) {
            uploadArtifacts(run);
            TrialSummary summary = TrialSummary.of(run.trial().label(), run.folder(), Double.NaN);
            tracker.setTags(run.tracking(), Map.of(NOTE_TAG, summary.markdown()));
            Map<String, String> tags = new LinkedHashMap<>(summary.scoreTags());
            tags.put("scored_at", Instant.now().toString());
            tracker.tagModelVersion(run.tracking(), modelName(run.config().experimentName()), tags);
            tracker.setBestAlias(run.tracking(), modelName(run.config().experimentName()), CHAMPION, MEAN_ACCURACY);
        } else {
            console.println(run.describe() + ": no tracker run recorded; the scores are only in " + run.folder().evaluations());
        }
        run.finished();
        console.printf("%s: scored in %.0f s, no training%s%n", run.describe(), run.secondsSinceStart(), failures(run));
        closeLog(run);
        return run;
    }

    private void uploadArtifacts(TrialRun run) {
        for (RunFolder.Artifact a : run.folder().artifacts()) {
            tracker.logArtifact(run.tracking(), a.file(), a.folder());
        }
    }

    private static String failures(TrialRun run) {
        return run.failedEvaluations() == 0 ? "" : " (" + run.failedEvaluations() + " evaluation(s) FAILED: see "
                + run.folder().evaluations() + ")";
    }

    /**
     * The routes' error handler: the trial ends FAILED with its error; its checkpoints stay for the next run.
     * An exception that escaped the checkpoint route arrives here with that route's body: it is its trial's.
     */
    public void fail(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Object body = exchange.getMessage().getBody();
        TrialRun run = body instanceof CheckpointEvent event ? event.run() : exchange.getMessage().getBody(TrialRun.class);
        if (run != null) {
            fail(run, e);
        } else {
            LOG.error("a route failed with a body that is no trial ({}); nothing to record", body == null ? "null" : body.getClass(), e);
        }
    }

    /**
     * The checkpoint route's own error handler: something failed after a checkpoint was written (recording it,
     * or scoring it outside the evaluation operation). The checkpoint is on disk, so training goes on; the
     * failure is said on the console and in the trial's run. A stop request needs nothing here: the trainer
     * stops at its next step.
     */
    public void checkpointFailed(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        CheckpointEvent event = exchange.getMessage().getBody(CheckpointEvent.class);
        if (StopRequest.isStop(e) || event == null) {
            LOG.warn("checkpoint route: {}", e == null ? "unknown error" : e.toString());
            return;
        }
        TrialRun run = event.run();
        Throwable cause = e;
        while (cause != null && cause.getCause() != null && cause instanceof org.apache.camel.CamelExecutionException) {
            cause = cause.getCause(); // Camel's wrapper says only which exchange it was
        }
        String message = cause == null ? "unknown error" : firstLine(cause.toString());
        run.evaluationFailed();
        LOG.error("{}: after the checkpoint of epoch {}", run.describe(), event.epoch(), e);
        console.println(run.describe() + ": epoch " + event.epoch() + ": handling the checkpoint FAILED: " + message + "; training goes on");
        if (run.tracking() != null) {
            tracker.setTags(run.tracking(), Map.of(FAILED_TAG + "epoch_" + event.epoch(), truncate(message)));
        }
    }

    void fail(TrialRun run, Throwable e) {
        if (run.start() == TrialRun.Start.RESCORE && !StopRequest.isStop(e)) {
            // scoring a finished trial failed: the training and its results stand
            String message = e == null ? "unknown error" : firstLine(e.toString());
            run.interrupted("scoring failed: " + message);
            console.println(run.describe() + ": scoring FAILED: " + message + "; the trial stays FINISHED (" + run.folder().dir() + ")");
            LOG.error("{}: scoring failed", run.describe(), e);
            closeLog(run);
            return;
        }
        if (StopRequest.isStop(e)) {
            // not a failure: the trial stays RUNNING in the state database and its tracker run open, and the next run continues it
            run.interrupted("interrupted (" + StopRequest.reason() + ")");
            Path resume = run.folder().resumeCheckpoint().orElse(null);
            console.println(run.describe() + ": interrupted (" + StopRequest.reason() + "); "
                    + (resume == null ? "no checkpoint yet" : "progress saved in " + resume) + "; the next run of the same YAML continues it");
            closeLog(run);
            return;
        }
        String message = e == null ? "unknown error" : firstLine(e.toString());
        run.failed(message);
        if (run.tracking() != null) {
            tracker.failRun(run.tracking(), message);
            store.fail(run.folder().dir(), message);
        }
        console.println(run.describe() + ": FAILED: " + message + " (checkpoints kept in " + run.folder().checkpoints() + ")");
        LOG.error("{} failed", run.describe(), e);
        closeLog(run);
    }

    private void closeLog(TrialRun run) {
        TrialLog log = logs.remove(run);
        if (log != null) {
            log.close();
        }
    }

    /**
     * Ends the sweep's parent run: FAILED if any trial failed. A sweep with trials that were interrupted
     * or skipped (running elsewhere), and no failure, stays open: the next run of the same YAML continues it.
     */
    public void finishSweep(List<TrialRun> runs) {
        long failed = runs.stream().filter(r -> r.status() == TrialStatus.FAILED).count();
        long open = runs.stream().filter(r -> r.interrupted() || r.skipped()).count();
        if (failed == 0 && (open > 0 || StopRequest.requested())) {
            return;
        }
        List<TrialSummary> rows = new ArrayList<>();
        for (TrialRun r : runs) {
            rows.add(r.status() == TrialStatus.FINISHED ? TrialSummary.of(r.trial().label(), r.folder(), Double.NaN)
                    : TrialSummary.failed(r.trial().label(), r.status().name() + (r.error() == null ? "" : ": " + r.error())));
        }
        long unfinished = runs.stream().filter(r -> r.status() != TrialStatus.FINISHED).count();
        endParent(rows, unfinished < runs.size(), unfinished);
        store.finishSweep(parent.key(), unfinished > 0 ? TrialStatus.FAILED : TrialStatus.FINISHED);
    }

    /**
     * A submitted sweep ends when its last trial does, by whichever worker ends that trial: when every
     * trial of the sweep has finished or failed, the parent run gets the summary, the champion alias and
     * its end state (FAILED if any trial failed). Two workers ending the last trials at the same moment
     * may both queue those records (they set the same values: harmless); the sweep's row is ended by one.
     *
     * @return true when this call ended the sweep
     */
    boolean endSweepIfLast() {
        Optional<TrialStore.Sweep> sweep = store.sweep(parent.key());
        List<TrialStore.Entry> trials = store.trials(parent.key());
        if (sweep.isEmpty() || sweep.get().status() != TrialStatus.RUNNING || trials.isEmpty()
                || trials.stream().anyMatch(t -> !t.status().ended())) {
            return false;
        }
        List<TrialSummary> rows = new ArrayList<>();
        for (TrialStore.Entry t : trials) {
            rows.add(t.status() == TrialStatus.FINISHED ? TrialSummary.of(t.label(), RunFolder.of(Path.of(t.runDir())), Double.NaN)
                    : TrialSummary.failed(t.label(), t.status().name() + (t.error() == null ? "" : ": " + t.error())));
        }
        long unfinished = trials.stream().filter(t -> t.status() != TrialStatus.FINISHED).count();
        endParent(rows, unfinished < trials.size(), unfinished);
        TrialStatus status = unfinished > 0 ? TrialStatus.FAILED : TrialStatus.FINISHED;
        boolean ended = store.endSweep(parent.key(), status);
        if (ended) {
            console.println("sweep " + parent.key() + " (" + parent.experiment() + "): its last trial ended; the sweep is " + status
                    + (unfinished > 0 ? " (" + unfinished + " trial(s) failed)" : ""));
        }
        return ended;
    }

    /** The parent run's summary table, champion alias and end state. */
    private void endParent(List<TrialSummary> rows, boolean anyFinished, long unfinished) {
        tracker.setTags(parent, Map.of(NOTE_TAG, TrialSummary.table(parent.experiment(), rows)));
        // the sweep's figures on its own run, so the experiment's charts and runs table show them at first sight
        Map<String, Double> summary = new LinkedHashMap<>();
        for (TrialSummary r : rows) {
            r.accuracy().forEach((file, a) -> summary.merge("best_accuracy_" + file, a, Math::max));
        }
        rows.stream().filter(r -> !r.accuracy().isEmpty()).mapToDouble(TrialSummary::mean).max()
                .ifPresent(best -> summary.put("best_" + MEAN_ACCURACY, best));
        summary.put("trials", (double) rows.size());
        summary.put("trials_failed", (double) unfinished);
        tracker.logMetrics(parent, summary, 0);
        List<String> files = new ArrayList<>();
        rows.forEach(r -> r.accuracy().keySet().forEach(f -> {
            if (!files.contains(f)) {
                files.add(f);
            }
        }));
        if (!files.isEmpty()) {
            tracker.shareView(parent, ExperimentView.SHARE_KEY, ExperimentView.of(files, rows.stream().mapToLong(TrialSummary::epoch).max().orElse(0)));
        }
        if (anyFinished) {
            tracker.setBestAlias(parent, modelName(parent.experiment()), CHAMPION, MEAN_ACCURACY);
        }
        if (unfinished > 0) {
            tracker.failRun(parent, unfinished + " trial(s) failed");
        } else {
            tracker.finishRun(parent);
        }
    }

    // ---- the registered model ----------------------------------------------------------------

    /** The alias of the registered model's version with the best mean accuracy. */
    public static final String CHAMPION = "champion";
    /** The version tag the champion is chosen by: the mean accuracy over the test files. */
    public static final String MEAN_ACCURACY = "mean_accuracy";
    static final String NOTE_TAG = "mlflow.note.content";
    /** Tag prefix of a failed evaluation: {@code cddpm.failed.epoch_E.SETTING} = its error. */
    static final String FAILED_TAG = "cddpm.failed.";
    /** Tag prefix of a sampling setting scored in the run: {@code cddpm.sampling.SETTING} = what it is. */
    static final String SETTING_TAG = "cddpm.sampling.";
    static final String FLAVOR = "cddpm";
    static final String MODEL_CHECKPOINT = "checkpoint.ckpt";

    /** The registered model of an experiment: named after it. */
    public static String modelName(String experiment) {
        return experiment;
    }

    /**
     * The final EMA weights as an MLflow model directory in the run (MLmodel with the custom flavor
     * cddpm, ema.safetensors, the checkpoint for sampling, config.yaml, evaluations.json), registered
     * as a new version of the experiment's model with the accuracies as version tags.
     */
    private void registerModel(TrialRun run, TrialSummary summary) {
        RunFolder folder = run.folder();
        if (run.lastCheckpoint() == null || !java.nio.file.Files.isRegularFile(folder.emaWeights())) {
            return;
        }
        Map<String, Path> files = new LinkedHashMap<>();
        files.put(RunFolder.EMA_WEIGHTS, folder.emaWeights());
        files.put(MODEL_CHECKPOINT, run.lastCheckpoint());
        files.put(RunFolder.CONFIG, folder.config());
        if (java.nio.file.Files.isRegularFile(folder.evaluations())) {
            files.put(RunFolder.EVALUATIONS, folder.evaluations());
        }
        Map<String, String> flavor = new LinkedHashMap<>();
        flavor.put("weights", RunFolder.EMA_WEIGHTS);
        flavor.put("checkpoint", MODEL_CHECKPOINT);
        flavor.put("config", RunFolder.CONFIG);
        flavor.put("resolution", Integer.toString(run.config().resolution()));
        flavor.put("cddpm_version", io.cddpm.core.BuildInfo.version());
        Map<String, String> scores = summary.scoreTags();
        tracker.logModel(run.tracking(), RunFolder.MODEL, FLAVOR, files, flavor, scores);
        Map<String, String> tags = new LinkedHashMap<>(scores);
        tags.put("trial", run.trial().label());
        tags.put("epochs", Integer.toString(run.config().training().epochs()));
        tracker.registerModel(run.tracking(), modelName(run.config().experimentName()), RunFolder.MODEL, tags);
    }

    // ---- what the stages report --------------------------------------------------------------

    /** The trial's data is loaded: its training set and the test files become the run's dataset inputs. */
    void dataPrepared(TrialRun run) {
        ExperimentConfig c = run.config();
        IclevrDataset data = run.dataset();
        List<DatasetInput> inputs = new ArrayList<>();
        inputs.add(DatasetInputs.training(c, data));
        for (ConditionFile f : ClassificationStage.testFiles(c)) {
            inputs.add(DatasetInputs.evaluation(f));
        }
        tracker.logInputs(run.tracking(), inputs);
    }

    /** Pictures drawn at an evaluation (key -> PNG), logged as images at step = epoch. */
    void picturesDrawn(TrialRun run, int epoch, Map<String, Path> pictures) {
        pictures.forEach((key, png) -> {
            if (java.nio.file.Files.isRegularFile(png)) {
                tracker.logImage(run.tracking(), png, key, epoch);
            }
        });
    }

    /** CPU, memory and GPU load logged into the trial's run while it trains (tracking.system_metrics_interval). */
    SystemMetrics systemMetrics(TrialRun run) {
        return SystemMetrics.start(tracker, run.tracking(), run.config().tracking().systemMetricsInterval());
    }

    /** The evaluator the trial is scored with: a param, and its held-out accuracy when it was trained here. */
    void evaluatorChosen(TrialRun run, EvaluatorWeights.Resolved r) {
        run.evaluator(r.weights());
        tracker.logParams(run.tracking(), Map.of("evaluation.weights", r.weights().toString()));
        if (!Double.isNaN(r.heldOutAccuracy())) {
            tracker.logMetrics(run.tracking(), Map.of("evaluator_heldout_accuracy", r.heldOutAccuracy()), 0);
        }
    }

    /** A checkpoint was written (atomically): the state database points at it. */
    void checkpointWritten(TrialRun run, int epoch, Path checkpoint) {
        run.lastCheckpoint(checkpoint);
        store.checkpoint(run.folder().dir(), checkpoint, epoch);
        console.printf("%s: checkpoint for epoch %d at %s%n", run.describe(), epoch, checkpoint);
    }

    /**
     * One evaluation's outcome (already in evaluations.json): its accuracies go to the tracker at step =
     * epoch as {@code accuracy_<file>/<setting>}, and for the trial's own setting also as
     * {@code accuracy_<file>}; the own setting's pictures as images (a series over the epochs), another
     * setting's as artifacts in {@code pictures/epoch-NNNN/SETTING/}; a console line. A failed evaluation is said on the
     * console and as a tag of the trial's run ({@code cddpm.failed.epoch_E.SETTING}), and the trial goes on.
     */
    void evaluated(TrialRun run, int epoch, CheckpointEvaluation.Outcome o) {
        String where = run.describe() + ": epoch " + epoch + " " + o.setting();
        if (o.failed()) {
            run.evaluationFailed();
            console.println(where + ": evaluation FAILED: " + o.record().error() + (run.needsTraining() && epoch < run.config().training().epochs()
                    ? "; training goes on" : "; recorded in " + run.folder().evaluations()));
            if (run.tracking() != null) {
                tracker.setTags(run.tracking(), Map.of(FAILED_TAG + "epoch_" + epoch + "." + o.setting(), truncate(o.record().error())));
            }
            return;
        }
        StringBuilder line = new StringBuilder(where + (o.reused() ? ": already scored:" : ": accuracy"));
        o.record().accuracy().forEach((name, a) -> line.append(String.format(Locale.ROOT, " %s %.4f", name, a)));
        EvaluatorCeilings.of(run.evaluator()).ifPresent(c -> line.append(EvaluatorCeilings.label(c)));
        console.println(line);
        if (o.reused() || run.tracking() == null) {
            return;
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        o.record().accuracy().forEach((name, a) -> {
            metrics.put("accuracy_" + name + "/" + o.setting(), a);
            if (o.own()) {
                metrics.put("accuracy_" + name, a);
            }
        });
        tracker.logProgress(run.tracking(), metrics, epoch);
        tracker.setTags(run.tracking(), Map.of(SETTING_TAG + o.setting(), o.record().sampling() + "; evaluator " + o.record().evaluator()));
        if (o.own()) {
            picturesDrawn(run, epoch, o.pictures());
        } else {
            // another setting's pictures are files of the run, not image series: such a series would have one step,
            // and MLflow 2.22's chart view loops (React error 185) on an image chart with a single step
            String folder = run.folder().relative(run.folder().evaluationFiles(epoch, o.setting(), false, true).dir());
            o.pictures().values().forEach(png -> tracker.logArtifact(run.tracking(), png, folder));
        }
    }

    /**
     * The final checkpoint's accuracies averaged over seeds: a console line per setting, and when something was
     * scored anew, metrics at step = epoch: {@code accuracy_<file>/<setting>_seeds_mean} for every setting, and
     * {@code accuracy_<file>_seeds_mean} for the trial's own setting (the figure the trial is quoted by).
     */
    void seedsAveraged(TrialRun run, int epoch, List<SeedAverage> averages, boolean scoredAnew) {
        String own = SamplingSettings.slug(run.ownSampling().withSeed(0));
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (SeedAverage a : averages) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: epoch %d %s, mean of seeds %s:", run.describe(), epoch,
                    a.setting(), a.seeds().stream().map(String::valueOf).collect(Collectors.joining(", "))));
            a.mean().forEach((name, m) -> {
                line.append(String.format(Locale.ROOT, " %s %.4f", name, m));
                metrics.put("accuracy_" + name + "/" + a.setting() + "_seeds_mean", m);
                if (a.setting().equals(own)) {
                    metrics.put("accuracy_" + name + "_seeds_mean", m);
                }
            });
            console.println(line);
        }
        if (scoredAnew && run.tracking() != null && !metrics.isEmpty()) {
            tracker.logProgress(run.tracking(), metrics, epoch);
        }
    }

    private static String truncate(String text) {
        return text == null ? "" : text.length() > 4000 ? text.substring(0, 4000) : text;
    }

    /** The trial's training metrics (each step once, even when a resumed trial redoes steps) and its epoch line. */
    TrainingListener trainingMetrics(TrialRun run, TrainingListener onCheckpoint) {
        RunHandle handle = run.tracking();
        int epochs = run.config().training().epochs();
        return new TrainingListener() {
            @Override
            public void onStart(Provenance provenance) {
                Map<String, String> fields = new LinkedHashMap<>(provenance.toMap());
                fields.remove("train_seconds"); // it grows with every epoch: the checkpoints and exported weights carry it
                fields.remove("created");
                tracker.setTags(handle, RunTags.provenance(fields));
            }

            @Override
            public void onStep(long step, double loss, double lr) {
                tracker.logProgress(handle, Map.of("loss", loss, "lr", lr), step);
            }

            @Override
            public void onEpoch(EpochRecord r) {
                tracker.logProgress(handle, Map.of("epoch_loss", r.loss(), "images_per_s", r.imagesPerS()), r.epoch());
                // the epoch's checkpoint is written next: a kill after it must not lose steps it covers (resume skips them)
                tracker.flushProgress();
                console.printf("%s: epoch %d/%d loss %.5f (%.1f img/s)%n", run.describe(), r.epoch(), epochs, r.loss(), r.imagesPerS());
            }

            @Override
            public void onCheckpoint(int epoch, Path checkpoint) {
                onCheckpoint.onCheckpoint(epoch, checkpoint);
            }
        };
    }

    // ---- re-evaluation ------------------------------------------------------------------------

    /** The state of a trial in the database, NOT RUN when it has none. */
    String statusOf(Trial trial) {
        return store.find(trial.runDir()).map(r -> r.status().name()).orElse("NOT RUN");
    }

    boolean isFinished(Trial trial) {
        return store.find(trial.runDir()).map(r -> r.status() == TrialStatus.FINISHED).orElse(false);
    }

    /**
     * Whether a finished trial's rows recorded before evaluators were named count as scored by the evaluator
     * its config asks for now (its evaluation config is the one it was recorded with).
     */
    boolean legacyEvaluator(Trial trial) {
        return store.find(trial.runDir()).map(r -> sameEvaluation(r, trial.config())).orElse(false);
    }

    /**
     * A finished trial was scored again (through the evaluation operation: a key scored before is reused):
     * reeval/accuracy_<file> (latest) and reeval/best_accuracy_<file> (best) at step = each checkpoint's
     * epoch, timestamped now, and accuracy_<file>/<setting> for what was computed now, into the trial's own
     * run; the rows are appended to its reevaluations.json. A failed evaluation is said and tagged.
     */
    void reevaluated(Trial trial, CheckpointEvaluation.Outcome latest, CheckpointEvaluation.Outcome best) {
        RunFolder folder = RunFolder.of(trial.runDir());
        Optional<RunHandle> run = store.find(trial.runDir()).map(TrialStore.Row::runKey).flatMap(tracker::resumeRun);
        List<CheckpointEvaluation.Outcome> both = latest.record().checkpoint().equals(best.record().checkpoint()) ? List.of(latest)
                : List.of(latest, best);
        for (CheckpointEvaluation.Outcome o : both) {
            if (o.failed()) {
                console.println(trial.label() + ": re-evaluation of epoch " + o.record().epoch() + " (" + o.setting() + ") FAILED: "
                        + o.record().error());
                run.ifPresent(h -> tracker.setTags(h, Map.of(FAILED_TAG + "epoch_" + o.record().epoch() + "." + o.setting(),
                        truncate(o.record().error()))));
            }
        }
        folder.appendReevaluations(both.stream().map(CheckpointEvaluation.Outcome::record).toList());
        console.printf("%s: re-evaluated latest (epoch %d, %s%s) %s, best (epoch %d%s) %s%n", trial.label(), latest.record().epoch(),
                latest.setting(), latest.reused() ? ", already scored" : "", accuracies(latest.record()), best.record().epoch(),
                best == latest ? ", the latest" : best.reused() ? ", already scored" : "", accuracies(best.record()));
        if (run.isEmpty()) {
            console.println(trial.label() + ": no tracker run recorded; results only in " + folder.evaluations());
            return;
        }
        long now = System.currentTimeMillis();
        List<MetricPoint> points = new ArrayList<>();
        latest.record().accuracy().forEach((name, a) -> points.add(new MetricPoint("reeval/accuracy_" + name, a, now, latest.record().epoch())));
        best.record().accuracy().forEach((name, a) -> points.add(new MetricPoint("reeval/best_accuracy_" + name, a, now, best.record().epoch())));
        for (CheckpointEvaluation.Outcome o : both) {
            if (!o.reused() && !o.failed()) {
                o.record().accuracy().forEach((name, a) -> points.add(new MetricPoint("accuracy_" + name + "/" + o.setting(), a, now,
                        o.record().epoch())));
            }
        }
        tracker.logPoints(run.get(), points);
        tracker.setTags(run.get(), Map.of("cddpm.reevaluated_at", Instant.ofEpochMilli(now).toString(), "cddpm.reeval_evaluator",
                String.valueOf(latest.record().evaluator())));
        if (!latest.failed()) {
            // the registered model holds the final weights: the latest checkpoint's new score is its score now
            Map<String, String> tags = new LinkedHashMap<>(TrialSummary.scoreTags(latest.record().accuracy()));
            tags.put("sampling", latest.setting());
            tags.put("reevaluated_at", Instant.ofEpochMilli(now).toString());
            tracker.tagModelVersion(run.get(), modelName(trial.config().experimentName()), tags);
            lastReevaluated = run.get();
        }
    }

    /** "test 0.9444, new_test 0.9405" (4 digits), or "FAILED". */
    static String accuracies(EvaluationRecord r) {
        if (r.failed()) {
            return "FAILED";
        }
        List<String> parts = new ArrayList<>();
        r.accuracy().forEach((name, a) -> parts.add(String.format(Locale.ROOT, "%s %.4f", name, a)));
        return String.join(", ", parts);
    }

    /** After re-evaluation: the champion alias goes to the version with the best mean accuracy now. */
    void reevaluationDone(String experiment) {
        if (lastReevaluated != null) {
            tracker.setBestAlias(lastReevaluated, modelName(experiment), CHAMPION, MEAN_ACCURACY);
        }
    }

    public RunHandle parent() {
        return parent;
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
