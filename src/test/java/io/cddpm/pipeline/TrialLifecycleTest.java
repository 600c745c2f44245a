package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
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
        lifecycle(e).finish(run);
        RecordingTracker.Run child = tracker.run(run.tracking());
        assertEquals("FINISHED", child.status);
        assertEquals(List.of("config.yaml", "grids/grid_test.png"), child.artifacts);
        assertEquals(TrialStatus.FINISHED, run.status());

        int before = tracker.runs.size();
        TrialRun again = lifecycle(e).begin(trial(e));
        assertEquals(TrialRun.Start.REUSED, again.start());
        assertTrue(!again.needsWork());
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
    void anEvaluationGoesToTheRunFolderAndToTheTrackerAtItsEpoch() {
        ExperimentConfig e = experiment("0.0002");
        TrialLifecycle life = lifecycle(e);
        TrialRun run = life.begin(trial(e));
        life.evaluated(run, new EvaluationRecord(5, "checkpoints/epoch-0005.ckpt", "ddim", 50, 0.0, 2.0, 0.0, 0L, Map.of("test", 0.5, "new_test", 0.25),
                "2026-12-02T00:00:00Z"));
        life.evaluated(run, new EvaluationRecord(5, "checkpoints/epoch-0005.ckpt", "ddim", 50, 0.0, 2.0, 0.0, 0L, Map.of("test", 0.75, "new_test", 0.5),
                "2026-12-02T00:00:01Z"));
        List<EvaluationRecord> recorded = run.folder().readEvaluations();
        assertEquals(1, recorded.size(), "an epoch evaluated again replaces its record");
        assertEquals(0.75, recorded.get(0).accuracy().get("test"));
        assertEquals(List.of(5L, 5L), tracker.run(run.tracking()).steps("accuracy_test"));
        assertTrue(console.toString().contains("epoch 5 accuracy"), console.toString());
    }
}
