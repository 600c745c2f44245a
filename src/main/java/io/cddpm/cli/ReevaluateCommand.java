package io.cddpm.cli;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.pipeline.Reevaluation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cddpm reevaluate}: re-score the finished trials of an experiment (what the scheduled re-evaluation runs). */
@Command(name = "reevaluate", mixinStandardHelpOptions = true,
        description = "Re-score the latest and best checkpoints of an experiment's finished trials into their own MLflow runs.",
        footer = {"Re-score the latest and the best checkpoint of every finished trial of an experiment with the", "current evaluator and the YAML's sampler settings; log reeval/accuracy_<test file> and", "reeval/best_accuracy_<test file> to each trial's MLflow run and append to its reevaluations.json."})
public final class ReevaluateCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Experiment YAML.")
    Path file;

    @Option(names = "--set", description = "Override a key, e.g. --set sampling.steps=100 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ExperimentConfig experiment = ConfigLoader.load(file, overrides);
        List<Reevaluation.Outcome> outcomes = Reevaluation.run(experiment, System.out);
        long done = outcomes.stream().filter(o -> o.status().equals("REEVALUATED")).count();
        System.out.printf("re-evaluated %d of %d trial(s)%n", done, outcomes.size());
        return ExitCodes.OK;
    }
}
