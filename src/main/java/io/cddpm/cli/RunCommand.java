package io.cddpm.cli;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.StopRequest;
import io.cddpm.pipeline.PipelineRunner;
import io.cddpm.pipeline.TrialRun;
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
            "130 when stopped by SIGTERM/Ctrl-C (the running trial saves its progress; the next run continues it)."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Experiment YAML.")
    Path file;

    @Option(names = "--set", description = "Override a key: --set training.epochs=3 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--overwrite", description = {"Replace the results in a trial folder that belong to another config (a changed",
        "YAML or --set), or that this state database has no record of. Without it such a run is refused."})
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        ExperimentConfig experiment = ConfigLoader.load(file, overrides);
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
}
