package io.cddpm.pipeline;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.core.StopRequest;
import io.cddpm.state.StateDatabase;
import io.cddpm.state.TrialStore;
import io.cddpm.tracking.TrackingSession;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
            TrialStore store = new TrialStore(state.dataSource());
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
        return runs;
    }

    private List<TrialRun> run(ExperimentConfig experiment, TrialLifecycle lifecycle) throws Exception {
        List<Trial> trials = experiment.trials();
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
            for (int i = 0; i < trials.size() && !StopRequest.requested(); i++) {
                TrialRun run = new TrialRun(trials.get(i), i, trials.size());
                producer.sendBody(TRIAL_ENDPOINT, run);
                runs.add(run);
            }
        } finally {
            main.stop();
        }
        return runs;
    }
}
