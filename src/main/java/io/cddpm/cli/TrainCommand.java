package io.cddpm.cli;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.StopRequest;
import io.cddpm.data.IclevrDataset;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.RunFolder;
import io.cddpm.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm train}: train the model(s) of an experiment file, without orchestration or tracking. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an experiment's trials one after another, without tracking, writing checkpoints to each run folder.",
        footer = {"Train the conditional DDPM of an experiment YAML (every sweep trial in turn), writing checkpoints,",
            "history.json and config.yaml into output_dir/name/trial. For tracked runs use `cddpm run`. A trial folder that",
            "already holds a training is not overwritten (exit 2) unless --overwrite; `cddpm resume` continues one.",
            "SIGTERM/Ctrl-C stops after the current step with a step-exact checkpoint (exit 130)."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Experiment YAML.")
    Path config;

    @Option(names = "--set", description = "Override a key: --set training.epochs=3 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--overwrite", description = "Delete an earlier training in a trial's folder and train it again from scratch.")
    boolean overwrite;

    @Override
    public Integer call() {
        ExperimentConfig experiment = ConfigLoader.load(config, overrides);
        List<Trial> trials = experiment.trials();
        TrainingPreflight.check(config, trials);
        TrainingPreflight.writable(trials);
        for (Trial t : trials) {
            RunFolder folder = RunFolder.of(t.runDir());
            Optional<String> holder = folder.heldElsewhere();
            if (holder.isPresent()) {
                throw new InvalidInputException(folder.dir() + " is being trained by another cddpm process (" + holder.get() + ")"
                        + (overwrite ? ": --overwrite never deletes a training in progress" : "")
                        + "; wait for it to end, or stop it (SIGTERM or Ctrl-C: it saves a step-exact checkpoint)");
            }
        }
        if (!overwrite) {
            List<String> taken = new ArrayList<>();
            for (Trial t : trials) {
                RunFolder folder = RunFolder.of(t.runDir());
                if (folder.exists()) {
                    taken.add(folder.dir() + folder.resumeCheckpoint().map(c -> " (continue it: cddpm resume --checkpoint " + c + ")")
                            .orElse(""));
                }
            }
            if (!taken.isEmpty()) {
                throw new InvalidInputException("not overwriting earlier training results in " + String.join("; ", taken)
                        + ". Run again with --overwrite to replace them, or give this config its own name or output_dir");
            }
        }
        int skipped = 0;
        try (Interrupts interrupts = Interrupts.install()) {
            for (int i = 0; i < trials.size(); i++) {
                Trial trial = trials.get(i);
                ExperimentConfig c = trial.config();
                RunFolder folder = RunFolder.of(trial.runDir());
                Optional<RunFolder.Lock> lock = folder.tryLock();
                if (lock.isEmpty()) {
                    System.out.printf("trial %d of %d: %s skipped: another cddpm process is training it (%s)%n", i + 1, trials.size(),
                            trial.label(), folder.lockHolder());
                    skipped++;
                    continue;
                }
                try (RunFolder.Lock held = lock.get()) {
                    if (overwrite && folder.exists()) {
                        System.out.println("--overwrite: deleting the earlier training in " + folder.dir());
                        folder.clear();
                    }
                    System.out.printf("trial %d of %d: %s -> %s%n", i + 1, trials.size(), trial.label(), trial.runDir());
                    IclevrDataset data = DatasetPreparer.load(c.dataset(), c.resolution(), Path.of(c.outputDir()), c.training().limitImages());
                    Trainer.Result result = new Trainer(c, folder, data, null, Trainer.Progress.CONSOLE).train(null);
                    System.out.printf("trained %d steps; last checkpoint %s%n", result.steps(), result.lastCheckpoint());
                } catch (StopRequest.Stopped e) {
                    System.out.println("interrupted (" + StopRequest.reason() + "); continue with: cddpm resume --checkpoint "
                            + folder.interruptedCheckpoint());
                    return ExitCodes.INTERRUPTED;
                }
            }
        }
        return skipped == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
