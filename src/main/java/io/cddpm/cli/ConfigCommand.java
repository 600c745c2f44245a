package io.cddpm.cli;

import io.cddpm.config.ConfigHash;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.config.Trial;
import io.cddpm.tracking.TrackingEndpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cddpm config FILE}: validate an experiment file and show its trials (nothing is run). */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Validate an experiment YAML; list each trial's run folder, identity and the sampling settings it is scored under.",
        footer = {"Validate an experiment YAML (errors name file, line and key) and list its trials with their run directories and config hashes. Runs nothing."})
public final class ConfigCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The experiment YAML, e.g. experiments/quickstart.yaml.")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key, e.g. --set training.epochs=2 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--print", description = "Also print the full resolved config as YAML (every default included).")
    boolean print;

    @Override
    public Integer call() {
        ExperimentConfig config = ConfigLoader.load(file, overrides);
        TrackingEndpoint.configuredUri(config.tracking()); // refuses credentials in $MLFLOW_TRACKING_URI now, as in the YAML
        List<Trial> trials = config.trials();
        TrainingPreflight.check(file, trials);
        System.out.println(file + ": ok, experiment '" + config.experimentName() + "', " + trials.size()
                + (trials.size() == 1 ? " trial" : " trials"));
        for (Trial t : trials) {
            List<String> settings = SamplingSettings.of(t.config()).stream().map(SamplingSettings::slug).toList();
            System.out.println("  " + t.runDir() + "  " + ConfigHash.of(t.config()).substring(0, 12) + "  scored under "
                    + String.join(", ", settings));
        }
        if (print) {
            System.out.print(ConfigLoader.toYaml(config));
        }
        return ExitCodes.OK;
    }
}
