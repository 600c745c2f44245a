package io.cddpm.pipeline;

import io.cddpm.config.ConfigFlattener;
import io.cddpm.config.ConfigHash;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.tracking.MlflowTracker;
import io.cddpm.tracking.RunHandle;
import io.cddpm.tracking.RunTags;
import io.cddpm.train.TrainingListener;
import io.cddpm.viz.EpochRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * The tracking stage (bean {@code tracking}): a sweep is one MLflow parent run, each trial a child
 * run with the flattened config as params, the config hash, host, device and git commit as tags,
 * loss/lr per step and loss/images-per-second per epoch as metrics, the pictures, report, config
 * and final EMA weights as artifacts, and FINISHED / FAILED (with the error) as status. Everything
 * goes through the tracker's outbox, so MLflow being away never stops a trial.
 */
public final class TrialTracking {
    private final MlflowTracker tracker;
    private final TrialStore store;
    private final RunHandle parent;

    /**
     * Opens the sweep's parent run: the one a killed or crashed run of the same experiment and config
     * left unfinished (so a restart continues it), or a new one.
     */
    public TrialTracking(MlflowTracker tracker, TrialStore store, ExperimentConfig experiment) {
        this.tracker = tracker;
        this.store = store;
        String hash = ConfigHash.of(experiment);
        RunHandle open = store.openSweep(experiment.experimentName(), hash).flatMap(tracker::resumeRun).orElse(null);
        if (open == null) {
            Map<String, String> tags = new LinkedHashMap<>(RunTags.standard(hash, experiment.training().device()));
            tags.put("cddpm.kind", "sweep");
            tags.put("cddpm.trials", Integer.toString(experiment.trials().size()));
            open = tracker.startRun(experiment.experimentName(), experiment.name(), tags);
            tracker.logParams(open, Map.of("sweep", experiment.sweep().toString()));
            store.startSweep(open.key(), experiment.experimentName(), hash);
        }
        this.parent = open;
    }

    /**
     * Looks the trial up in the state store: an identical FINISHED trial is reused (not rerun); an
     * unfinished one with the same config continues its MLflow run and checkpoints; anything else
     * starts a new MLflow child run.
     */
    public TrialRun startTrial(TrialRun run) {
        ExperimentConfig c = run.trial().config();
        String hash = ConfigHash.of(c);
        java.util.Optional<TrialStore.Row> row = store.find(run.runDir());
        boolean sameConfig = row.isPresent() && row.get().configHash().equals(hash);
        if (sameConfig && row.get().status().equals("FINISHED")) {
            run.reused(true);
            run.succeed();
            return run;
        }
        run.resumable(sameConfig);
        RunHandle handle = sameConfig && row.get().runKey() != null ? tracker.resumeRun(row.get().runKey()).orElse(null) : null;
        if (handle == null) {
            Map<String, String> tags = new LinkedHashMap<>(RunTags.standard(hash, c.training().device()));
            tags.put("cddpm.trial", run.trial().label());
            handle = tracker.startChildRun(parent, run.trial().label(), tags);
            tracker.logParams(handle, ConfigFlattener.flatten(c));
        }
        run.tracking(handle);
        store.start(run.runDir(), c.experimentName(), run.trial().label(), hash, io.cddpm.config.ConfigLoader.toYaml(c), handle.key());
        return run;
    }

    /** Records a written checkpoint in the state store. */
    void checkpoint(TrialRun run, Path checkpoint, int epoch) {
        store.checkpoint(run.runDir(), checkpoint, epoch);
    }

    /** The evaluator the trial is scored with: a param, and its held-out accuracy when it was trained here. */
    void evaluator(TrialRun run, EvaluatorWeights.Resolved r) {
        tracker.logParams(run.tracking(), Map.of("evaluation.weights", r.weights().toString()));
        if (!Double.isNaN(r.heldOutAccuracy())) {
            tracker.logMetric(run.tracking(), "evaluator_heldout_accuracy", r.heldOutAccuracy(), 0);
        }
    }

    /** One evaluation: accuracy_<test file> at step = epoch. */
    void accuracy(TrialRun run, int epoch, Map<String, Double> accuracy) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        accuracy.forEach((name, a) -> metrics.put("accuracy_" + name, a));
        tracker.logProgress(run.tracking(), metrics, epoch);
    }

    /** A training listener that logs the trial's metrics (each step once, even when a resumed trial redoes steps). */
    TrainingListener metrics(TrialRun run) {
        RunHandle handle = run.tracking();
        return new TrainingListener() {
            @Override
            public void onStep(long step, double loss, double lr) {
                tracker.logProgress(handle, Map.of("loss", loss, "lr", lr), step);
            }

            @Override
            public void onEpoch(EpochRecord r) {
                tracker.logProgress(handle, Map.of("epoch_loss", r.loss(), "images_per_s", r.imagesPerS()), r.epoch());
            }
        };
    }

    /** Uploads the trial's pictures, report, config, history and final EMA weights. */
    public TrialRun logArtifacts(TrialRun run) {
        Path dir = run.runDir();
        for (String name : List.of("config.yaml", "history.json", "evaluations.json", "report.html", "progressive.png", "loss.png",
                "accuracy.png", "ema.safetensors")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                tracker.logArtifact(run.tracking(), dir.resolve(name), "");
            }
        }
        try (var files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().startsWith("grid_")).forEach(p -> tracker.logArtifact(run.tracking(), p, "grids"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return run;
    }

    public TrialRun finishTrial(TrialRun run) {
        tracker.finishRun(run.tracking());
        store.finish(run.runDir());
        return run;
    }

    /** Error handler: the trial's MLflow run ends FAILED with the error. */
    public void failTrial(Exchange exchange) {
        TrialRun run = exchange.getMessage().getBody(TrialRun.class);
        if (run != null && run.tracking() != null) {
            tracker.failRun(run.tracking(), run.error() == null ? "failed" : run.error());
            store.fail(run.runDir(), run.error() == null ? "failed" : run.error());
        }
    }

    /** Ends the sweep's parent run: FAILED if any trial failed. */
    public void finishSweep(List<TrialRun> runs) {
        boolean anyFailed = runs.stream().anyMatch(r -> r.status() != TrialRun.Status.SUCCEEDED);
        if (anyFailed) {
            tracker.failRun(parent, runs.stream().filter(r -> r.status() != TrialRun.Status.SUCCEEDED).count() + " trial(s) failed");
        } else {
            tracker.finishRun(parent);
        }
        store.finishSweep(parent.key(), anyFailed ? "FAILED" : "FINISHED");
    }

    public RunHandle parent() {
        return parent;
    }
}
