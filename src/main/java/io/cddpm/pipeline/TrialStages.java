package io.cddpm.pipeline;

import ai.djl.ndarray.NDManager;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.StopRequest;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.Checkpoint;
import io.cddpm.train.Trainer;
import io.cddpm.train.TrainingListener;
import io.cddpm.viz.RunReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * The work of a trial, one method per route step: data, training (each checkpoint goes to the
 * checkpoint route), weights, report (the pictures and scores are the classification stage's). They delegate to the data, train, sampling and viz
 * packages, report what happened to the {@link TrialLifecycle}, and let failures propagate to the
 * routes' error handling.
 */
public final class TrialStages {
    /** The endpoint of the checkpoint route. */
    static final String CHECKPOINT_ENDPOINT = "direct:checkpoint";

    private final PrintStream console;
    private final TrialLifecycle lifecycle;

    public TrialStages(PrintStream console, TrialLifecycle lifecycle) {
        this.console = console;
        this.lifecycle = lifecycle;
    }

    /** Data prep: render when asked, validate, load through the cache. */
    public TrialRun prepareData(TrialRun run) {
        StopRequest.check();
        ExperimentConfig c = run.config();
        console.println(run.describe() + ": preparing data");
        try (SharedInputs.Lock lock = SharedInputs.lock(Path.of(c.outputDir()), console)) {
            run.dataset(DatasetPreparer.load(c.dataset(), c.resolution(), Path.of(c.outputDir()), c.training().limitImages()));
        }
        lifecycle.dataPrepared(run);
        return run;
    }

    /** Training; every checkpoint is sent to the checkpoint route as it is written. A resumed trial continues from its newest checkpoint. */
    public TrialRun train(TrialRun run, Exchange exchange) throws IOException {
        try (ProducerTemplate producer = exchange.getContext().createProducerTemplate()) {
            Path resume = run.start() == TrialRun.Start.RESUMED ? run.folder().resumeCheckpoint().orElse(null) : null;
            if (resume != null) {
                console.println(run.describe() + ": resuming from " + resume);
            }
            TrainingListener listener = lifecycle.trainingMetrics(run, new TrainingListener() {
                @Override
                public void onCheckpoint(int epoch, Path checkpoint) {
                    producer.sendBody(CHECKPOINT_ENDPOINT, new CheckpointEvent(run, epoch, checkpoint));
                }
            });
            Trainer.Result result;
            try (var load = lifecycle.systemMetrics(run)) {
                result = new Trainer(run.trainingConfig(), run.folder(), run.dataset(), listener, Trainer.Progress.CONSOLE).train(resume);
            }
            run.lastCheckpoint(result.lastCheckpoint());
            return run;
        }
    }

    /** Checkpoint route: the checkpoint is recorded (the route then decides on classification). */
    public CheckpointEvent onCheckpoint(CheckpointEvent event) {
        lifecycle.checkpointWritten(event.run(), event.epoch(), event.checkpoint());
        return event;
    }

    /** The final EMA weights as safetensors (diffusers-style names), for the tracking artifacts. */
    public TrialRun exportWeights(TrialRun run) {
        StopRequest.check();
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoint.read(run.lastCheckpoint(), manager).exportEma(run.folder().emaWeights());
        }
        return run;
    }

    /** report.html with the loss and accuracy plots. */
    public TrialRun report(TrialRun run) {
        StopRequest.check();
        RunReport.Result r = RunReport.build(run.folder());
        console.println(run.describe() + ": report " + r.html() + (r.missing().isEmpty() ? "" : " (missing: " + r.missing() + ")"));
        return run;
    }
}
