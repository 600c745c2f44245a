package io.cddpm.pipeline;

import io.cddpm.config.ConfigHash;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.StopRequest;
import io.cddpm.runs.RunFolder;
import io.cddpm.state.QueuedTrial;
import io.cddpm.state.StateDatabase;
import io.cddpm.state.TrialStatus;
import io.cddpm.state.TrialStore;
import io.cddpm.tracking.TrackingEndpoint;
import io.cddpm.tracking.TrackingSession;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;

/**
 * Runs an experiment (each sweep trial in turn, one at a time on the device) through the Camel
 * routes in {@code routes/*.yaml}: standalone camel-main with the beans {@code lifecycle}
 * ({@link TrialLifecycle}), {@code stages} ({@link TrialStages}) and {@code classification}
 * ({@link ClassificationStage}); the state database and the tracker are open around it.
 * Routes are read from the project's routes folder when present (so a user can edit them), else
 * from the copy packaged in the jar.
 */
public final class PipelineRunner {
    /** The endpoint of the trial route. */
    static final String TRIAL_ENDPOINT = "direct:trial";
    private final PrintStream console;
    private final boolean overwrite;

    public PipelineRunner(PrintStream console) {
        this(console, false);
    }

    /** @param overwrite whether trials may replace the results of another config in their folders ({@code --overwrite}) */
    public PipelineRunner(PrintStream console, boolean overwrite) {
        this.console = console;
        this.overwrite = overwrite;
    }

    /** Where the route files are: $cddpm.home/routes, ./routes, or the jar's copy. */
    static String routesPattern() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getProperty("cddpm.home");
        if (home != null) {
            candidates.add(Path.of(home, "routes"));
        }
        candidates.add(Path.of("routes"));
        for (Path dir : candidates) {
            if (Files.isDirectory(dir)) {
                return "file:" + dir.toAbsolutePath() + "/*.yaml";
            }
        }
        return "classpath:routes/*.yaml";
    }

    /**
     * Runs every trial, tracked in MLflow; returns them with their final status. Nothing starts when a
     * trial's folder holds results of another config and overwrite is off. After a stop request
     * ({@link StopRequest}) the running trial saves its progress and no further trial starts; the tracker
     * then delivers what it can, a local MLflow server is stopped, and the state database closes last.
     */
    public List<TrialRun> run(ExperimentConfig experiment) throws Exception {
        try (StateDatabase state = StateDatabase.open()) {
            TrialStore store = TrialIdentity.store(state);
            TrialLifecycle.refuseOverwrites(store, experiment.trials(), overwrite);
            try (TrackingSession tracking = TrackingSession.open(experiment.tracking(), state.dataSource(), console)) {
                return run(experiment, tracking, store);
            }
        }
    }

    private List<TrialRun> run(ExperimentConfig experiment, TrackingSession tracking, TrialStore store) throws Exception {
        console.println("tracking to MLflow at " + tracking.tracker().uri() + " (experiment '" + experiment.experimentName() + "')");
        TrialLifecycle lifecycle = new TrialLifecycle(tracking.tracker(), store, experiment, console, overwrite);
        List<TrialRun> runs = run(experiment, lifecycle);
        lifecycle.finishSweep(runs);
        tracking.announceView(experiment.experimentName(), ExperimentView.SHARE_KEY);
        return runs;
    }

    private List<TrialRun> run(ExperimentConfig experiment, TrialLifecycle lifecycle) throws Exception {
        List<Trial> trials = experiment.trials();
        List<TrialRun> runs = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            runs.add(new TrialRun(trials.get(i), i, trials.size()));
        }
        return runRoutes(lifecycle, runs);
    }

    /** Sends each trial through the trial route in turn (none after a stop request); returns those sent. */
    private List<TrialRun> runRoutes(TrialLifecycle lifecycle, List<TrialRun> pending) throws Exception {
        List<TrialRun> runs = new ArrayList<>();
        Main main = new Main();
        main.configure().withRoutesIncludePattern(routesPattern());
        main.configure().withName("cddpm");
        main.configure().withJmxEnabled(false);
        main.bind("lifecycle", lifecycle);
        main.bind("stages", new TrialStages(console, lifecycle));
        main.bind("classification", new ClassificationStage(console, lifecycle));
        try {
            main.start();
            ProducerTemplate producer = main.getCamelContext().createProducerTemplate();
            for (int i = 0; i < pending.size() && !StopRequest.requested(); i++) {
                TrialRun run = pending.get(i);
                producer.sendBody(TRIAL_ENDPOINT, run);
                runs.add(run);
            }
        } finally {
            main.stop();
        }
        return runs;
    }

    // ---- several machines: submitted sweeps, run by workers ----------------------------------------

    /** What {@link #submit} did: the sweep id (its parent run key) and what became of each trial. */
    public record Submission(String sweepKey, String experiment, List<QueuedTrial> queued, int finished, int alreadyQueued) {}

    /**
     * Submits the experiment's trials to the workers ({@code cddpm run --submit}): the sweep's parent run
     * is opened (or the unfinished one of the same experiment and config continued), every trial not yet
     * finished with this config is recorded QUEUED and handed to queue (which puts it in the workers'
     * queue), unless alreadyQueued says a worker has it (queued or running) already. Nothing is queued
     * when a trial folder holds another config's results and overwrite is off; with overwrite they are
     * deleted here. A sweep whose trials all finished before ends at once.
     *
     * @param alreadyQueued whether the trial with this (absolute) run folder is in the queue now
     */
    public Submission submit(ExperimentConfig experiment, StateDatabase state, Predicate<String> alreadyQueued,
            Consumer<QueuedTrial> queue) throws IOException {
        requireShareable(experiment);
        TrialStore store = TrialIdentity.store(state);
        List<Trial> trials = experiment.trials();
        TrialLifecycle.refuseOverwrites(store, trials, overwrite);
        try (TrackingSession tracking = TrackingSession.open(experiment.tracking(), state.dataSource(), console)) {
            TrialLifecycle lifecycle = new TrialLifecycle(tracking.tracker(), store, experiment, console, overwrite);
            String sweep = lifecycle.parent().key();
            List<QueuedTrial> queued = new ArrayList<>();
            int finished = 0;
            int elsewhere = 0;
            for (int i = 0; i < trials.size(); i++) {
                Trial t = trials.get(i);
                String runDir = t.runDir().toAbsolutePath().normalize().toString();
                String hash = ConfigHash.of(t.config());
                Optional<TrialStore.Row> row = store.find(t.runDir());
                if (row.isPresent() && row.get().configHash().equals(hash) && row.get().status() == TrialStatus.FINISHED) {
                    store.adopt(t.runDir(), sweep, i);
                    finished++;
                    List<String> unscored = lifecycle.unscored(t);
                    if (!unscored.isEmpty()) {
                        console.println(t.label() + ": finished; not scored yet under " + String.join(", ", unscored)
                                + ": `cddpm run` of this YAML scores it on any machine (no training)");
                    }
                    continue;
                }
                if (alreadyQueued.test(runDir)) {
                    elsewhere++;
                    continue;
                }
                TrialLifecycle.conflict(store, t.runDir(), hash).ifPresent(conflict -> {
                    console.println(t.label() + ": --overwrite: deleting what " + conflict.replace(" holds ", " held: "));
                    RunFolder.of(t.runDir()).clear();
                });
                String config = ConfigLoader.toYaml(t.config());
                store.queue(t.runDir(), t.config().experimentName(), t.label(), hash, config, sweep, i);
                QueuedTrial q = new QueuedTrial(sweep, t.label(), i, trials.size(), runDir, config);
                queue.accept(q);
                queued.add(q);
            }
            if (queued.isEmpty() && elsewhere == 0) {
                lifecycle.endSweepIfLast();
            }
            return new Submission(sweep, experiment.experimentName(), queued, finished, elsewhere);
        }
    }

    /**
     * Runs one queued trial on this worker (a new one, or one resumed from its newest checkpoint into its
     * MLflow run, e.g. after the worker that ran it died), and ends the sweep when it was the last.
     *
     * @param worker this worker's id, recorded with the trial
     * @param device the worker's device for training, or null for the trial's training.device
     */
    public TrialRun runQueued(QueuedTrial queued, String worker, String device, boolean recovering) throws Exception {
        ExperimentConfig config = ConfigLoader.fromYaml(queued.configYaml(), queued.describe() + " of sweep " + queued.sweepKey());
        requireShareable(config);
        Trial trial = new Trial(queued.label(), Map.of(), config);
        TrialRun run = new TrialRun(trial, queued.index(), queued.count());
        run.placement(device);
        try (StateDatabase state = StateDatabase.open();
                TrackingSession tracking = TrackingSession.open(config.tracking(), state.dataSource(), console)) {
            TrialStore store = TrialIdentity.store(state);
            TrialLifecycle lifecycle = TrialLifecycle.forSubmittedTrial(tracking.tracker(), store, queued.sweepKey(), console, worker);
            console.println(run.describe() + " of sweep " + queued.sweepKey() + ": taken by worker " + worker
                    + (recovering ? " (recovered: the worker that ran it stopped checking in)" : ""));
            runRoutes(lifecycle, List.of(run));
            if (run.status().ended()) {
                lifecycle.endSweepIfLast();
            }
        }
        return run;
    }

    /**
     * A sweep spread over several machines needs what every worker can reach: an absolute output_dir
     * (on storage all of them mount at that path: the checkpoints a worker resumes from are there) and
     * dataset and evaluator paths likewise, and a tracking server named by tracking.uri or
     * $MLFLOW_TRACKING_URI (not a local server of one machine).
     */
    static void requireShareable(ExperimentConfig c) {
        List<String> problems = new ArrayList<>();
        if (!Path.of(c.outputDir()).isAbsolute()) {
            problems.add("output_dir '" + c.outputDir() + "' is relative: give the absolute path of a folder every worker mounts at that path"
                    + " (the trials' checkpoints, datasets and evaluators go there)");
        }
        if (c.dataset().root() != null && !c.dataset().rendered() && !Path.of(c.dataset().root()).isAbsolute()) {
            problems.add("dataset.root '" + c.dataset().root() + "' is relative: give its absolute path on storage every worker sees");
        }
        if (!c.evaluation().trainsEvaluator() && !Path.of(c.evaluation().evaluator()).isAbsolute()) {
            problems.add("evaluation.evaluator '" + c.evaluation().evaluator() + "' is relative: give its absolute path on storage every worker sees");
        }
        if (TrackingEndpoint.configuredUri(c.tracking()).isEmpty()) {
            problems.add("no tracking server: set tracking.uri or $" + TrackingEndpoint.URI_ENV + " to the MLflow server every worker"
                    + " reaches (a local server would be one machine's)");
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("experiment '" + c.name() + "' cannot be spread over workers: " + String.join("; ", problems));
        }
    }
}
