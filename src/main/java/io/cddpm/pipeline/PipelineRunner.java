package io.cddpm.pipeline;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;

/**
 * Runs an experiment (each sweep trial in turn, one at a time on the device) through the Camel
 * routes in {@code routes/*.yaml}: standalone camel-main, the stages bean bound as {@code stages}.
 * Routes are read from the project's routes folder when present (so a user can edit them), else
 * from the copy packaged in the jar.
 */
public final class PipelineRunner {
    private final PrintStream console;

    public PipelineRunner(PrintStream console) {
        this.console = console;
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

    /** Runs every trial, tracked in MLflow; returns them with their final status. */
    public List<TrialRun> run(ExperimentConfig experiment) throws Exception {
        try (TrackingSession session = TrackingSession.open(experiment, console)) {
            TrialTracking tracking = new TrialTracking(session.tracker(), session.store(), experiment);
            List<TrialRun> runs = run(experiment, tracking);
            tracking.finishSweep(runs);
            return runs;
        }
    }

    private List<TrialRun> run(ExperimentConfig experiment, TrialTracking tracking) throws Exception {
        List<Trial> trials = experiment.trials();
        List<TrialRun> runs = new ArrayList<>();
        Main main = new Main();
        main.configure().withRoutesIncludePattern(routesPattern());
        main.configure().withName("cddpm");
        main.configure().withJmxEnabled(false);
        main.bind("stages", new TrialStages(console, tracking));
        main.bind("tracking", tracking);
        main.bind("classification", new ClassificationStage(console, tracking));
        try {
            main.start();
            ProducerTemplate producer = main.getCamelContext().createProducerTemplate();
            for (int i = 0; i < trials.size(); i++) {
                TrialRun run = new TrialRun(trials.get(i), i, trials.size());
                console.println(run.describe() + ": starting in " + run.runDir());
                producer.sendBody("direct:trial", run);
                runs.add(run);
            }
        } finally {
            main.stop();
        }
        return runs;
    }
}
