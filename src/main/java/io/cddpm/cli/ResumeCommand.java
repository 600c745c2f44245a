package io.cddpm.cli;

import ai.djl.ndarray.NDManager;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.StopRequest;
import io.cddpm.data.IclevrDataset;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.ModelPackage;
import io.cddpm.runs.RunFolder;
import io.cddpm.train.Trainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm resume}: continue a training run from one of its checkpoints to its planned total. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue a training from one of its checkpoints (e.g. the interrupted.ckpt of a stopped run) to its planned end.",
        footer = {"Continue training from a checkpoint (same config, same total step count; the run directory is the checkpoint's),",
            "e.g. the interrupted.ckpt a SIGTERM/Ctrl-C left. Stops the same way (exit 130)."})
public final class ResumeCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A checkpoint file (RUN/checkpoints/epoch-NNNN.ckpt).")
    Path checkpoint;

    @Override
    public Integer call() {
        if (ModelPackage.isPackage(checkpoint)) {
            throw new InvalidInputException(checkpoint + " is a model package (EMA weights only, no optimizer state or training position):"
                    + " it can be sampled from and evaluated, not resumed; resume from the checkpoints/*.ckpt of its run");
        }
        Engines.pytorch();
        ExperimentConfig config;
        int epoch;
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint c = Checkpoint.read(checkpoint, m);
            config = c.config();
            epoch = c.epoch();
        }
        Path runDir = checkpoint.toAbsolutePath().getParent().getParent();
        if (epoch >= config.training().epochs()) {
            System.out.printf("%s is the final checkpoint (epoch %d of %d): nothing to resume%n", checkpoint, epoch, config.training().epochs());
            return ExitCodes.OK;
        }
        System.out.printf("resuming %s from epoch %d of %d%n", runDir, epoch, config.training().epochs());
        RunFolder folder = RunFolder.of(runDir);
        try (Interrupts interrupts = Interrupts.install(); RunFolder.Lock lock = folder.tryLock().orElseThrow(() -> new InvalidInputException(
                runDir + " is being trained by another cddpm process (" + folder.lockHolder() + ")"))) {
            IclevrDataset data = DatasetPreparer.load(config.dataset(), config.resolution(), Path.of(config.outputDir()),
                    config.training().limitImages());
            Trainer.Result result = new Trainer(config, folder, data, null, Trainer.Progress.CONSOLE).train(checkpoint);
            System.out.printf("trained to step %d; last checkpoint %s%n", result.steps(), result.lastCheckpoint());
            return ExitCodes.OK;
        } catch (StopRequest.Stopped e) {
            System.out.println("interrupted (" + StopRequest.reason() + "); continue with: cddpm resume --checkpoint "
                    + folder.interruptedCheckpoint());
            return ExitCodes.INTERRUPTED;
        }
    }
}
