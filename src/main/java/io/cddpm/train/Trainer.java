package io.cddpm.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.cddpm.config.DatasetConfig;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Precision;
import io.cddpm.config.TrainingConfig;
import io.cddpm.core.BuildInfo;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.ProgressBars;
import io.cddpm.core.ProgressLine;
import io.cddpm.core.StopRequest;
import io.cddpm.data.BatchIterator;
import io.cddpm.data.IclevrDataset;
import io.cddpm.model.ConditionalUNet;
import io.cddpm.model.NamedParameters;
import io.cddpm.model.TorchKernels;
import io.cddpm.model.UNetSpec;
import io.cddpm.model.UNets;
import io.cddpm.optim.AdamW;
import io.cddpm.optim.LearningRate;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.Provenance;
import io.cddpm.runs.RunFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the conditional UNet on a dataset: uniform timesteps, MSE against the prediction type's
 * target, classifier-free-guidance condition dropout, AdamW with warm-up + cosine decay and
 * gradient-norm clipping, an EMA of the weights, a checkpoint every N epochs and at the end.
 * Every step runs in its own NDManager sub-scope. All randomness of step s derives from
 * (seed, s), so a run resumed from a checkpoint continues exactly as it would have.
 *
 * <p>A stop request ({@link StopRequest}, e.g. SIGTERM) is honoured between two steps: the trainer
 * writes a step-exact checkpoint ({@link RunFolder#interruptedCheckpoint()}: weights, EMA, AdamW moments,
 * the step, and the epoch's partial loss and time) and throws {@link StopRequest.Stopped}. Resuming from
 * it skips the batches of the epoch already trained (the epoch's batch order is seeded by (seed, epoch))
 * and goes on with the next step, so no step is redone or lost and the stop costs at most one step. (Stopping
 * at the next epoch boundary instead could take as long as an epoch, and a checkpoint of the completed
 * epochs alone would redo the steps after it.)
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /**
     * Whether the trainer shows its progress on stderr ({@link ProgressBars}: a bar on a terminal, a line
     * with rate and ETA every 30 s otherwise) or stays quiet (tests).
     */
    public enum Progress { CONSOLE, QUIET }

    private final ExperimentConfig config;
    private final RunFolder run;
    private final IclevrDataset dataset;
    private final TrainingListener listener;
    private final Progress progress;

    public Trainer(ExperimentConfig config, RunFolder run, IclevrDataset dataset, TrainingListener listener, Progress progress) {
        this.config = config;
        this.run = run;
        this.dataset = dataset;
        this.listener = listener == null ? TrainingListener.NONE : listener;
        this.progress = progress;
        if (dataset.resolution() != config.resolution()) {
            throw new IllegalArgumentException("dataset resolution " + dataset.resolution() + " != config resolution " + config.resolution());
        }
    }

    /** What a finished training left behind. */
    public record Result(Path lastCheckpoint, List<EpochRecord> history, long steps) {}

    /** Trains from scratch, or continues from {@code resume} (a checkpoint of this run) when given. */
    public Result train(Path resume) {
        Engines.pytorch();
        TrainingConfig t = config.training();
        Device device = Engines.device(t.device());
        int batchesPerEpoch = new BatchIterator(dataset, t.batchSize(), BatchIterator.Remainder.KEEP, t.seed(), 0).batches();
        long totalSteps = (long) batchesPerEpoch * t.epochs();
        LearningRate lr = new LearningRate(t.lr(), t.warmupSteps(), totalSteps, t.lrSchedule());
        run.writeConfig(config);

        try (NDManager root = NDManager.newBaseManager(device)) {
            ConditionalUNet unet = UNets.create(UNetSpec.of(config.model(), config.resolution()), root, t.seed())
                    .usePrecision(t.precision(), "training.precision");
            Map<String, NDArray> params = NamedParameters.arrays(unet);
            AdamW adam = new AdamW(t.weightDecay());
            adam.init(params, root);
            Ema ema = new Ema(t.ema());
            ema.init(params, root);
            int startEpoch = 0;
            long step = 0;
            Checkpoint.Partial partial = null;
            List<EpochRecord> history = new ArrayList<>();
            if (resume == null || !resume.toAbsolutePath().normalize().equals(run.interruptedCheckpoint().toAbsolutePath().normalize())) {
                deleteInterrupted(); // an interrupted training's state would not follow from this start
            }
            if (resume != null) {
                try (NDManager loading = root.newSubManager()) {
                    Checkpoint c = Checkpoint.read(resume, loading);
                    if (c.optimizer().isEmpty()) {
                        throw new InvalidInputException(resume + ": weights only (a model package), no optimizer state to resume from");
                    }
                    Checkpoint.copyInto(c.model(), params, resume + " (model)");
                    ema.load(c.ema());
                    adam.load(c.optimizer(), c.step());
                    startEpoch = c.epoch();
                    step = c.step();
                    partial = c.partial();
                    history.addAll(c.history());
                }
                LOG.debug("resumed from {} at epoch {}, step {}", resume, startEpoch, step);
                long done = step - (long) startEpoch * batchesPerEpoch;
                if (partial != null && (done < 0 || done >= batchesPerEpoch)) {
                    throw new IllegalStateException(resume + ": step " + step + " is not inside epoch " + (startEpoch + 1) + " ("
                            + batchesPerEpoch + " batches per epoch): the dataset changed since it was written");
                }
            }
            TrainStep trainStep = new TrainStep(config, unet, params, adam, ema, new ParameterStore(root, false));
            double earlierSeconds = trainedSeconds(history);
            Provenance provenance = provenance(device).withTrainSeconds(earlierSeconds);
            listener.onStart(provenance);
            Path last = resume;
            LOG.info("training on {} in {}{} with {} kernels", device, t.precision().id(),
                    t.precision() == Precision.BF16 ? " mixed precision (fp32 master weights)" : "",
                    TorchKernels.implementation());
            long sessionStart = System.nanoTime();
            long sessionFirstStep = step;
            for (int epoch = startEpoch + 1; epoch <= t.epochs(); epoch++) {
                BatchIterator batches = new BatchIterator(dataset, t.batchSize(), BatchIterator.Remainder.KEEP, t.seed(), epoch, t.hflip());
                long start = System.nanoTime();
                double lossSum = 0;
                int images = 0;
                double epochEarlier = 0;
                double currentLr = 0;
                if (partial != null) {
                    // continuing an epoch an interrupted training stopped in: its first batches are done
                    long done = step - (long) startEpoch * batchesPerEpoch;
                    for (long k = 0; k < done; k++) {
                        batches.nextIndices();
                    }
                    lossSum = partial.lossSum();
                    images = partial.images();
                    epochEarlier = partial.seconds();
                    currentLr = partial.lr();
                    partial = null;
                }
                try (ProgressBar bar = progress == Progress.CONSOLE ? ProgressBars.of("epoch " + epoch + "/" + t.epochs(), batches.batches(), "batch") : null) {
                    while (batches.hasNext()) {
                        if (StopRequest.requested()) {
                            Path saved = run.interruptedCheckpoint();
                            double trainSeconds = trainedSeconds(history);
                            double epochSeconds = epochEarlier + (System.nanoTime() - start) / 1e9;
                            new Checkpoint(config, epoch - 1, step, params, ema.weights(), adam.state(), history,
                                    provenance.withTrainSeconds(trainSeconds + epochSeconds),
                                    new Checkpoint.Partial(lossSum, images, epochSeconds, currentLr)).write(saved);
                            LOG.info("stopped at step {} (epoch {}, {} of its batches done); saved {}", step, epoch,
                                    step - (long) (epoch - 1) * batchesPerEpoch, saved);
                            throw new StopRequest.Stopped(StopRequest.reason());
                        }
                        currentLr = lr.at(step);
                        try (NDManager scope = root.newSubManager()) {
                            BatchIterator.Batch batch = batches.next(scope);
                            double loss = trainStep.run(scope, batch.images(), batch.labels(), step, currentLr);
                            int b = (int) batch.images().getShape().get(0);
                            lossSum += loss * b;
                            images += b;
                            step++;
                            listener.onStep(step, loss, currentLr);
                            if (bar != null) {
                                bar.step();
                                double stepsPerSecond = (step - sessionFirstStep) / Math.max(1e-9, (System.nanoTime() - sessionStart) / 1e9);
                                // the whole training's ETA early in the message: a terminal cuts the bar at its width
                                bar.setExtraMessage(String.format(" loss %.4f, training ETA %s, lr %.2e step %d %.1f img/s", loss,
                                        ProgressLine.clock(Duration.ofSeconds(Math.round((totalSteps - step) / stepsPerSecond))), currentLr, step,
                                        images / Math.max(1e-9, (System.nanoTime() - start) / 1e9)));
                            }
                        }
                    }
                }
                double seconds = epochEarlier + (System.nanoTime() - start) / 1e9;
                EpochRecord record = new EpochRecord(epoch, lossSum / Math.max(1, images), currentLr, images / seconds, seconds, step,
                        Memory.residentBytes() >> 20);
                history.add(record);
                run.writeHistory(history);
                LOG.debug("epoch {}/{}: loss {} lr {} {} img/s, rss {} MiB", epoch, t.epochs(), String.format("%.5f", record.loss()),
                        String.format("%.2e", currentLr), String.format("%.1f", record.imagesPerS()), record.residentMib());
                listener.onEpoch(record);
                if (epoch % t.checkpointEvery() == 0 || epoch == t.epochs()) {
                    last = run.checkpoint(epoch);
                    double trainSeconds = trainedSeconds(history);
                    new Checkpoint(config, epoch, step, params, ema.weights(), adam.state(), history,
                            provenance.withTrainSeconds(trainSeconds)).write(last);
                    deleteInterrupted(); // this checkpoint is later
                    listener.onCheckpoint(epoch, last);
                }
            }
            return new Result(last, history, step);
        }
    }

    private void deleteInterrupted() {
        try {
            Files.deleteIfExists(run.interruptedCheckpoint());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + run.interruptedCheckpoint(), e);
        }
    }

    /** Training wall time of the recorded epochs (all sessions of a resumed run). */
    private static double trainedSeconds(List<EpochRecord> history) {
        return history.stream().mapToDouble(r -> r.seconds() == null ? 0 : r.seconds()).sum();
    }

    /** What this training is made of: versions, kernels, precision, device, and the exact data. */
    private Provenance provenance(Device device) {
        DatasetConfig d = config.dataset();
        String source = d.rendered()
                ? String.format("render of %s (seed %d)", d.render().spec() == null ? "the built-in train.json" : d.render().spec(),
                        d.render().seed())
                : "root " + Path.of(d.root()).toAbsolutePath().normalize();
        String data = String.format("%s, %d images at %dpx, sha256:%s", source, dataset.size(), dataset.resolution(), dataset.digest());
        return new Provenance(BuildInfo.version(), BuildInfo.gitCommit().orElse(null), Engine.getDjlVersion(),
                Engine.getEngine("PyTorch").getVersion(), TorchKernels.implementation(), config.training().precision().id(),
                device.toString(), data, BuildInfo.host(), Instant.now().toString(), 0);
    }
}
