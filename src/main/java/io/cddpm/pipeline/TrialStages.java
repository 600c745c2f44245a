package io.cddpm.pipeline;

import ai.djl.ndarray.NDManager;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.Labels;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.train.ImageSampler;
import io.cddpm.train.Trainer;
import io.cddpm.train.TrainingListener;
import io.cddpm.viz.EpochRecord;
import io.cddpm.viz.ImageGrid;
import io.cddpm.viz.Images;
import io.cddpm.viz.ProgressiveStrip;
import io.cddpm.viz.RunFiles;
import io.cddpm.viz.RunReport;
import io.cddpm.viz.TrainingPlots;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * The stages the routes call, one method each. They only delegate to the data, train and viz
 * packages; failures propagate to the routes' error handling, which marks the trial failed.
 */
public final class TrialStages {
    private final PrintStream console;
    private final TrialTracking tracking;

    public TrialStages(PrintStream console, TrialTracking tracking) {
        this.console = console;
        this.tracking = tracking;
    }

    /** Data prep: render when asked, validate, load through the cache. */
    public TrialRun prepareData(TrialRun run) {
        ExperimentConfig c = run.trial().config();
        console.println(run.describe() + ": preparing data");
        run.dataset(DatasetPreparer.load(c.dataset(), c.resolution(), Path.of(c.outputDir()), c.training().limitImages()));
        return run;
    }

    /** Training; every checkpoint is sent to the checkpoint route as it is written. Resumes from the newest checkpoint if one exists. */
    public TrialRun train(TrialRun run, Exchange exchange) throws IOException {
        ExperimentConfig c = run.trial().config();
        try (ProducerTemplate producer = exchange.getContext().createProducerTemplate()) {
            return train(run, c, producer);
        }
    }

    private TrialRun train(TrialRun run, ExperimentConfig c, ProducerTemplate producer) {
        Path resume = run.resumable() ? newestCheckpoint(run.runDir()) : null;
        TrainingListener metrics = tracking.metrics(run);
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(long step, double loss, double lr) {
                metrics.onStep(step, loss, lr);
            }

            @Override
            public void onEpoch(EpochRecord r) {
                metrics.onEpoch(r);
                console.printf("%s: epoch %d/%d loss %.5f (%.1f img/s)%n", run.describe(), r.epoch(), c.training().epochs(), r.loss(), r.imagesPerS());
            }

            @Override
            public void onCheckpoint(int epoch, Path checkpoint) {
                producer.sendBody("direct:checkpoint", new CheckpointEvent(run, epoch, checkpoint));
            }
        };
        if (resume != null) {
            console.println(run.describe() + ": resuming from " + resume);
        }
        Trainer.Result result = new Trainer(c, run.runDir(), run.dataset(), listener, false).train(resume);
        run.lastCheckpoint(result.lastCheckpoint());
        return run;
    }

    /** Checkpoint route: record the checkpoint in the trial and the state store (the route then decides on classification). */
    public void onCheckpoint(CheckpointEvent event) {
        event.run().addCheckpoint(event.checkpoint());
        tracking.checkpoint(event.run(), event.checkpoint(), event.epoch());
        console.printf("%s: checkpoint for epoch %d at %s%n", event.run().describe(), event.epoch(), event.checkpoint());
    }

    /** Samples every test file with the final EMA weights: PNGs, images.npz, 8-per-row grids, the progressive strip, the loss plot. */
    public TrialRun pictures(TrialRun run) {
        ExperimentConfig c = run.trial().config();
        Path dir = run.runDir();
        try (ImageSampler sampler = ImageSampler.fromCheckpoint(run.lastCheckpoint(), c.sampling().useEma());
                NDManager manager = NDManager.newBaseManager()) {
            boolean first = true;
            for (String name : c.dataset().testFiles()) {
                ConditionFile file = ConditionFile.resolve(name, Labels.builtin());
                int total = sampler.scheduler(c.sampling()).timesteps().length;
                int every = first ? Math.max(1, total >= 1000 ? 111 : (int) Math.ceil(total / 9.0)) : 0;
                ImageSampler.Samples s = sampler.sample(file.multiHot(), c.sampling(), c.training().batchSize(), every, manager);
                Path out = dir.resolve("samples").resolve(file.name());
                io.cddpm.viz.SampleFiles.write(s.images(), out);
                Images.writePng(ImageGrid.of(s.images()), dir.resolve("grid_" + file.name() + ".png"));
                if (first) {
                    List<BufferedImage> frames = s.intermediates().stream().map(a -> Images.fromTensor(a).get(0)).toList();
                    Images.writePng(ProgressiveStrip.of(frames, ProgressiveStrip.labels(s.intermediateSteps())), dir.resolve("progressive.png"));
                }
                first = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TrainingPlots.writeLoss(RunFiles.history(dir.resolve(RunFiles.HISTORY)), dir.resolve("loss.png"));
        return run;
    }

    /** The final EMA weights as safetensors (diffusers-style names), for the tracking artifacts. */
    public TrialRun exportWeights(TrialRun run) {
        try (NDManager manager = NDManager.newBaseManager()) {
            io.cddpm.train.Checkpoint c = io.cddpm.train.Checkpoint.read(run.lastCheckpoint(), manager);
            Files.write(run.runDir().resolve("ema.safetensors"), io.cddpm.model.Safetensors.toBytes(c.ema(),
                    java.util.Map.of("format", "cddpm-unet-ema", "epoch", Integer.toString(c.epoch()))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return run;
    }

    public TrialRun report(TrialRun run) {
        RunReport.Result r = RunReport.build(run.runDir());
        console.println(run.describe() + ": report " + r.html() + (r.missing().isEmpty() ? "" : " (missing: " + r.missing() + ")"));
        return run;
    }

    /** A trial whose identical config already finished: reported, not rerun. */
    public TrialRun reportReused(TrialRun run) {
        if (run.isReused()) {
            console.println(run.describe() + ": reused (an identical config already finished in " + run.runDir() + ")");
        }
        return run;
    }

    public TrialRun markSucceeded(TrialRun run) {
        run.succeed();
        console.println(run.describe() + ": done");
        return run;
    }

    /** Error handler of the routes: the trial is marked failed with its error; its checkpoints stay. */
    public void markFailed(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        TrialRun run = exchange.getMessage().getBody(TrialRun.class);
        String message = e == null ? "unknown error" : firstLine(e.toString());
        if (run != null) {
            run.fail(message);
            console.println(run.describe() + ": FAILED: " + message + " (checkpoints kept in " + run.runDir().resolve("checkpoints") + ")");
        }
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    static Path newestCheckpoint(Path runDir) {
        Path dir = runDir.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("epoch-\\d{4}\\.ckpt")).sorted().reduce((a, b) -> b).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
