package io.cddpm.cli;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.core.StopRequest;
import io.cddpm.pipeline.PipelineRunner;
import io.cddpm.pipeline.TrialRun;
import io.cddpm.schedule.Schedules;
import io.cddpm.state.QueuedTrial;
import io.cddpm.state.StateDatabase;
import io.cddpm.state.TrialStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cddpm run}: an experiment or sweep through the Camel routes. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run an experiment's trials through the Camel pipeline, tracked in MLflow; finished trials are reused, unfinished ones resumed.",
        footer = {"Run an experiment YAML (every sweep trial, one at a time) through the Camel routes in routes/:",
            "data prep -> training (a checkpoint every checkpoint_every epochs) -> samples, grids, progressive image,",
            "plots -> report. Exit 0 when every trial succeeded, 1 when any failed (the others still run) or was skipped",
            "because another process is running it, 2 on bad input (e.g. a trial folder holding another config's results),",
            "130 when stopped by SIGTERM/Ctrl-C (the running trial saves its progress; the next run continues it).",
            "--submit: queue the trials for the workers sharing the state database ('cddpm worker', README \"Several",
            "machines\") and return at once, printing the sweep id; 'cddpm status SWEEP' follows it. The YAML's output_dir",
            "must then be absolute (storage every worker mounts at that path) and tracking.uri or $MLFLOW_TRACKING_URI set."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Experiment YAML.")
    Path file;

    @Option(names = "--set", description = "Override a key: --set training.epochs=3 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--overwrite", description = {"Replace the results in a trial folder that belong to another config (a changed",
        "YAML or --set), or that this state database has no record of. Without it such a run is refused."})
    boolean overwrite;

    @Option(names = "--submit", description = {"Queue the trials for the workers ('cddpm worker') and return, printing the sweep id,",
        "instead of running them here one at a time."})
    boolean submit;

    @Override
    public Integer call() throws Exception {
        ExperimentConfig experiment = ConfigLoader.load(file, overrides);
        if (submit) {
            try (StateDatabase state = StateDatabase.open(); Schedules schedules = Schedules.open(state)) {
                printSubmission(new PipelineRunner(System.out, overwrite).submit(experiment, state, schedules::trialQueued,
                        schedules::queueTrial));
                if (!state.shared()) {
                    System.out.println("(the state database is this machine's H2 folder " + state.where() + ": only a `cddpm worker`"
                            + " or `cddpm serve` on this machine runs them; set $CDDPM_STATE to a jdbc:postgresql:// URL for several)");
                }
            }
            return ExitCodes.OK;
        }
        List<Trial> trials = experiment.trials();
        TrainingPreflight.check(file, trials);
        TrainingPreflight.writable(trials);
        long start = System.nanoTime();
        List<TrialRun> runs;
        try (Interrupts interrupts = Interrupts.install()) {
            runs = new PipelineRunner(System.out, overwrite).run(experiment);
        } catch (Exception e) {
            if (!StopRequest.isStop(e) && !StopRequest.requested()) {
                throw e;
            }
            System.out.println("interrupted (" + StopRequest.reason() + ") before any trial started: " + e.getMessage());
            return ExitCodes.INTERRUPTED;
        }
        long failed = runs.stream().filter(r -> r.status() == TrialStatus.FAILED).count();
        long skipped = runs.stream().filter(TrialRun::skipped).count();
        System.out.printf("%d trial(s), %d failed%s, in %.1f s%n", runs.size(), failed, skipped == 0 ? "" : ", " + skipped + " skipped",
                (System.nanoTime() - start) / 1e9);
        for (TrialRun r : runs) {
            String status = r.skipped() ? "SKIPPED" : r.interrupted() ? "INTERRUPTED" : r.status().name();
            System.out.printf("  %-50s %s%s%n", r.trial().label(), status, r.error() == null ? "" : " (" + r.error() + ")");
        }
        if (StopRequest.requested()) {
            System.out.println("interrupted (" + StopRequest.reason() + "): `cddpm run " + file + "` continues where it stopped");
            return ExitCodes.INTERRUPTED;
        }
        return runs.stream().allMatch(r -> r.status() == TrialStatus.FINISHED) ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** What a submission did, the sweep id first ("sweep ID ..."), and how to follow it. */
    static void printSubmission(PipelineRunner.Submission s) {
        System.out.printf("sweep %s (%s): %d trial(s) queued, %d already queued or running, %d finished before%n", s.sweepKey(),
                s.experiment(), s.queued().size(), s.alreadyQueued(), s.finished());
        for (QueuedTrial q : s.queued()) {
            System.out.println("  queued " + q.describe() + " -> " + q.runDir());
        }
        System.out.println("follow it with: cddpm status " + s.sweepKey());
    }
}
