package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.state.TrialStatus;
import io.cddpm.state.TrialStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trial's life against an in-memory tracker and an in-memory state database: no server, no Camel, no training. */
class TrialLifecycleTest {
    @TempDir
    Path dir;

    private RecordingTracker tracker;
    private TrialStore store;
    private ByteArrayOutputStream console;

    @BeforeEach
    void setUp() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:lifecycle-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = new TrialStore(ds);
        tracker = new RecordingTracker();
        console = new ByteArrayOutputStream();
    }

    private ExperimentConfig experiment(String lr) {
        return ConfigLoader.fromYaml("name: life\noutput_dir: " + dir.resolve("runs") + "\ntraining: {lr: " + lr + "}\n", "life.yaml");
    }

    private TrialLifecycle lifecycle(ExperimentConfig e) {
        return new TrialLifecycle(tracker, store, e, new PrintStream(console, true));
    }

    private static TrialRun trial(ExperimentConfig e) {
        return new TrialRun(e.trials().get(0), 0, 1);
    }

    @Test
    void aNewTrialIsAChildRunWithItsConfigAsParamsAndARunningRow() {
        ExperimentConfig e = experiment("0.0002");
        TrialLifecycle life = lifecycle(e);
        TrialRun run = life.begin(trial(e));
        assertEquals(TrialRun.Start.NEW, run.start());
        RecordingTracker.Run child = tracker.run(run.tracking());
        assertEquals(life.parent().key(), child.parentKey);
        assertEquals("2.0E-4", child.params.get("training.lr"));
        assertEquals(TrialStatus.RUNNING, store.find(run.folder().dir()).orElseThrow().status());
        assertTrue(console.toString().contains("trial 1 of 1 (default): starting in"), console.toString());
    }

    @Test
    void aFinishedTrialUploadsItsFilesAndIsReusedNextTime() throws Exception {
        ExperimentConfig e = experiment("0.0002");
        TrialRun run = lifecycle(e).begin(trial(e));
        Files.createDirectories(run.folder().dir());
        Files.writeString(run.folder().config(), "name: life\n");
        Files.writeString(run.folder().grid("test"), "png");
        run.folder().recordEvaluation(EvaluationRecord.of(1, "checkpoints/epoch-0001.ckpt", e.sampling(), "evaluator#0",
                Map.of("test", 0.5), "t"));
        TrialLifecycle life = lifecycle(e);
        life.finish(run);
        RecordingTracker.Run child = tracker.run(run.tracking());
        assertEquals("FINISHED", child.status);
        // the sweep's run carries the sweep's figures
        life.finishSweep(List.of(run));
        RecordingTracker.Run parent = tracker.run(life.parent());
        assertEquals(List.of(0L), parent.steps("best_accuracy_test"));
        assertEquals(0.5, parent.metrics.stream().filter(m -> m.key().equals("best_accuracy_test")).findFirst().orElseThrow().value());
        assertEquals(1.0, parent.metrics.stream().filter(m -> m.key().equals("trials")).findFirst().orElseThrow().value());
        assertEquals(List.of("config.yaml", "evaluations.json", "grids/grid_test.png"), child.artifacts);
        assertEquals(TrialStatus.FINISHED, run.status());

        int before = tracker.runs.size();
        TrialRun again = lifecycle(e).begin(trial(e));
        assertEquals(TrialRun.Start.REUSED, again.start());
        assertTrue(!again.needsTraining() && !again.needsScoring());
        assertEquals(before, tracker.runs.size(), "the unfinished sweep's parent continues and the trial keeps its one run");
    }

    @Test
    void anUnfinishedTrialContinuesItsRunAfterACrash() {
        ExperimentConfig e = experiment("0.0002");
        TrialRun first = lifecycle(e).begin(trial(e));
        first.unlock(); // the first process died without finishing: its lock went with it
        TrialRun second = lifecycle(e).begin(trial(e));
        assertEquals(TrialRun.Start.RESUMED, second.start());
        assertEquals(first.tracking().key(), second.tracking().key());
    }

    @Test
    void aFailureEndsRunAndRowFailedWithTheError() {
        ExperimentConfig e = experiment("0.0002");
        TrialLifecycle life = lifecycle(e);
        TrialRun run = life.begin(trial(e));
        life.fail(run, new IllegalStateException("loss is NaN"));
        assertEquals("FAILED", tracker.run(run.tracking()).status);
        assertTrue(tracker.run(run.tracking()).tags.get("cddpm.error").contains("loss is NaN"));
        assertEquals(TrialStatus.FAILED, store.find(run.folder().dir()).orElseThrow().status());
        assertEquals(TrialStatus.FAILED, run.status());
    }

    @Test
    void anEvaluationGoesToTheTrackerAtItsEpochUnderItsSetting() {
        ExperimentConfig e = experiment("0.0002");
        TrialLifecycle life = lifecycle(e);
        TrialRun run = life.begin(trial(e));
        SamplingConfig own = e.sampling();
        SamplingConfig other = new SamplingConfig(own.sampler(), own.steps(), own.eta(), own.guidance() + 1, 0.0, 0, true);
        String ownSetting = SamplingSettings.slug(own);
        String otherSetting = SamplingSettings.slug(other);
        life.evaluated(run, 5, new CheckpointEvaluation.Outcome(EvaluationRecord.of(5, "checkpoints/epoch-0005.ckpt", own, "evaluator#0",
                Map.of("test", 0.5, "new_test", 0.25), "2026-12-02T00:00:00Z"), false, true, Map.of()));
        life.evaluated(run, 5, new CheckpointEvaluation.Outcome(EvaluationRecord.of(5, "checkpoints/epoch-0005.ckpt", other, "evaluator#0",
                Map.of("test", 0.75, "new_test", 0.5), "2026-12-02T00:00:01Z"), false, false, Map.of()));
        RecordingTracker.Run r = tracker.run(run.tracking());
        assertEquals(List.of(5L), r.steps("accuracy_test"), "the trial's own setting only");
        assertEquals(List.of(5L), r.steps("accuracy_test/" + ownSetting));
        assertEquals(List.of(5L), r.steps("accuracy_test/" + otherSetting));
        assertTrue(console.toString().contains("epoch 5 " + otherSetting + ": accuracy") && console.toString().contains("test 0.7500"),
                console.toString());

        // a failed evaluation: said on the console, tagged in the run, counted; nothing logged as a metric
        EvaluationRecord failed = EvaluationRecord.of(10, "checkpoints/epoch-0010.ckpt", own, "evaluator#0", Map.of(), "t")
                .asFailed("IllegalStateException: not a safetensors file", "t");
        life.evaluated(run, 10, new CheckpointEvaluation.Outcome(failed, false, true, Map.of()));
        assertEquals(1, run.failedEvaluations());
        assertEquals("IllegalStateException: not a safetensors file", r.tags.get("cddpm.failed.epoch_10." + ownSetting));
        assertEquals(List.of(5L), r.steps("accuracy_test"));
        assertTrue(console.toString().contains("epoch 10 " + ownSetting + ": evaluation FAILED: IllegalStateException: not a safetensors file"),
                console.toString());
    }

    @Test
    void theOwnSettingsSeedMeanIsTheTrialsFigure() {
        ExperimentConfig e = experiment("0.0002");
        TrialLifecycle life = lifecycle(e);
        TrialRun run = life.begin(trial(e));
        String own = SamplingSettings.slug(e.sampling());
        List<SeedAverage> averages = List.of(new SeedAverage(own, List.of(0L, 1L, 2L), Map.of("test", 0.92)),
                new SeedAverage("ddpm_w1", List.of(0L, 1L), Map.of("test", 0.5)));
        life.seedsAveraged(run, 17, averages, false);
        RecordingTracker.Run r = tracker.run(run.tracking());
        assertEquals(List.of(), r.steps("accuracy_test_seeds_mean"), "all reused: logged when they were scored");
        assertTrue(console.toString().contains("epoch 17 " + own + ", mean of seeds 0, 1, 2: test 0.9200"), console.toString());

        life.seedsAveraged(run, 17, averages, true);
        assertEquals(List.of(17L), r.steps("accuracy_test_seeds_mean"));
        assertEquals(List.of(17L), r.steps("accuracy_test/" + own + "_seeds_mean"));
        assertEquals(List.of(17L), r.steps("accuracy_test/ddpm_w1_seeds_mean"));
        assertEquals(1, r.metrics.stream().filter(m -> m.key().equals("accuracy_test_seeds_mean")).count(), "the own setting only");
        assertEquals(0.92, r.metrics.stream().filter(m -> m.key().equals("accuracy_test_seeds_mean")).findFirst().orElseThrow().value(), 1e-12);
    }
}
