package io.cddpm.cli;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
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
        footer = {"Run an experiment YAML (every sweep trial, one at a time) through the Camel routes in routes/:", "data prep -> training (a checkpoint every checkpoint_every epochs) -> samples, grids, progressive image,", "plots -> report. Exit 0 when every trial succeeded, 1 when any failed (the others still run)."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Experiment YAML.")
    Path file;

    @Option(names = "--set", description = "Override a key: --set training.epochs=3 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ExperimentConfig experiment = ConfigLoader.load(file, overrides);
        long start = System.nanoTime();
        List<TrialRun> runs = new PipelineRunner(System.out).run(experiment);
        long failed = runs.stream().filter(r -> r.status() != TrialStatus.FINISHED).count();
        System.out.printf("%d trial(s), %d failed, in %.1f s%n", runs.size(), failed, (System.nanoTime() - start) / 1e9);
        for (TrialRun r : runs) {
            System.out.printf("  %-50s %s%s%n", r.trial().label(), r.status(), r.error() == null ? "" : " (" + r.error() + ")");
        }
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
