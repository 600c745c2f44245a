package io.cddpm.cli;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.data.IclevrDataset;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.RunFolder;
import io.cddpm.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm train}: train the model(s) of an experiment file, without orchestration or tracking. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an experiment's trials one after another, without tracking, writing checkpoints to each run folder.",
        footer = {"Train the conditional DDPM of an experiment YAML (every sweep trial in turn), writing checkpoints,", "history.json and config.yaml into output_dir/name/trial. For tracked runs use `cddpm run`."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Experiment YAML.")
    Path config;

    @Option(names = "--set", description = "Override a key: --set training.epochs=3 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        ExperimentConfig experiment = ConfigLoader.load(config, overrides);
        List<Trial> trials = experiment.trials();
        for (int i = 0; i < trials.size(); i++) {
            Trial trial = trials.get(i);
            ExperimentConfig c = trial.config();
            System.out.printf("trial %d of %d: %s -> %s%n", i + 1, trials.size(), trial.label(), trial.runDir());
            IclevrDataset data = DatasetPreparer.load(c.dataset(), c.resolution(), Path.of(c.outputDir()), c.training().limitImages());
            Trainer.Result result = new Trainer(c, RunFolder.of(trial.runDir()), data, null, Trainer.Progress.BAR).train(null);
            System.out.printf("trained %d steps; last checkpoint %s%n", result.steps(), result.lastCheckpoint());
        }
        return ExitCodes.OK;
    }
}
