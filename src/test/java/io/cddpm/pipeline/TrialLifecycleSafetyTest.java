package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigHash;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.core.InvalidInputException;
import io.cddpm.runs.LockHolder;
import io.cddpm.runs.RunFolder;
import io.cddpm.state.StateDatabase;
import io.cddpm.state.TrialStatus;
import io.cddpm.state.TrialStore;
import io.cddpm.tracking.MlflowTracker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trial's begin: one process at a time runs a trial (the run folder's lock; the other skips it and
 * says who runs it, marking it neither failed nor finished), and results of another config are never
 * overwritten silently (refused naming the folder and --overwrite; with it, the folder is cleared).
 * The tracker points at no server: its records only queue in the outbox.
 */
class TrialLifecycleSafetyTest {
    @TempDir
    Path dir;
    private StateDatabase state;
    private MlflowTracker tracker;
    private TrialStore store;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @BeforeEach
    void open() {
        state = StateDatabase.open(dir.resolve("state"));
        tracker = new MlflowTracker("http://127.0.0.1:9", state.dataSource(), Duration.ofMillis(100), Duration.ofMillis(100));
        store = new TrialStore(state.dataSource());
    }

    @AfterEach
    void close() {
        tracker.close();
        state.close();
    }

    private ExperimentConfig experiment(String... overrides) throws Exception {
        Path yaml = dir.resolve("lc.yaml");
        Files.writeString(yaml, """
                name: lc
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 48, seed: 0 } }
                training: { epochs: 2, batch_size: 16 }
                """.formatted(dir.resolve("runs")));
        return ConfigLoader.load(yaml, List.of(overrides));
    }

    private TrialLifecycle lifecycle(ExperimentConfig e, boolean overwrite) {
        return new TrialLifecycle(tracker, store, e, new PrintStream(console, true), overwrite);
    }

    @Test
    void aTrialAnotherProcessIsRunningIsSkippedNotFailed() throws Exception {
        ExperimentConfig e = experiment();
        Trial trial = e.trials().get(0);
        Process other = LockHolder.start(trial.runDir());
        try {
            TrialRun run = lifecycle(e, false).begin(new TrialRun(trial, 0, 1));
            assertTrue(run.skipped() && !run.needsTraining(), console.toString());
            assertEquals(TrialStatus.PENDING, run.status(), "neither failed nor finished");
            assertTrue(store.find(trial.runDir()).isEmpty(), "nothing recorded for it in this state database");
            assertTrue(console.toString().contains("another cddpm process is running it (pid " + other.pid()), console.toString());
        } finally {
            other.getOutputStream().close();
            other.waitFor();
        }
        TrialRun run = lifecycle(e, false).begin(new TrialRun(trial, 0, 1));
        assertEquals(TrialRun.Start.NEW, run.start(), "free again once the other process is gone");
        assertTrue(RunFolder.of(trial.runDir()).tryLock().isEmpty(), "held from begin ...");
        run.finished();
        RunFolder.of(trial.runDir()).tryLock().orElseThrow(() -> new AssertionError("... to the end")).close();
    }

    @Test
    void twoThreadsBeginningTheSameTrialRunItOnce() throws Exception {
        ExperimentConfig e = experiment();
        Trial trial = e.trials().get(0);
        TrialRun first = lifecycle(e, false).begin(new TrialRun(trial, 0, 1));
        TrialRun[] second = new TrialRun[1];
        Thread t = new Thread(() -> second[0] = lifecycle(e, false).begin(new TrialRun(trial, 0, 1)));
        t.start();
        t.join();
        assertEquals(TrialRun.Start.NEW, first.start());
        assertTrue(second[0].skipped(), console.toString());
    }

    @Test
    void aChangedConfigNeverOverwritesFinishedResultsSilently() throws Exception {
        ExperimentConfig before = experiment();
        Trial trial = before.trials().get(0);
        RunFolder folder = RunFolder.of(trial.runDir());
        TrialRun run = lifecycle(before, false).begin(new TrialRun(trial, 0, 1));
        Files.createDirectories(folder.checkpoints());
        Files.writeString(folder.checkpoint(2), "the finished trial's weights");
        folder.writeConfig(trial.config());
        folder.recordEvaluation(io.cddpm.runs.EvaluationRecord.of(2, "checkpoints/epoch-0002.ckpt", trial.config().sampling(), "evaluator#0",
                Map.of("test", 0.5, "new_test", 0.5), "t"));
        run.finished();
        store.finish(folder.dir());

        ExperimentConfig changed = experiment("training.lr=0.0005");
        Trial again = changed.trials().get(0);
        assertEquals(trial.runDir(), again.runDir(), "same folder, other config");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> TrialLifecycle.refuseOverwrites(store, changed.trials(), false));
        assertTrue(e.getMessage().contains(folder.dir().toString()) && e.getMessage().contains("--overwrite")
                && e.getMessage().contains("FINISHED"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> lifecycle(changed, false).begin(new TrialRun(again, 0, 1)));
        assertTrue(e.getMessage().contains(folder.dir().toString()) && e.getMessage().contains("--overwrite"), e.getMessage());
        assertEquals("the finished trial's weights", Files.readString(folder.checkpoint(2)), "untouched");
        assertEquals(ConfigHash.of(before.trials().get(0).config()), store.find(folder.dir()).orElseThrow().configHash());
        folder.tryLock().orElseThrow(() -> new AssertionError("a refused trial lets go of its folder")).close();

        // the unchanged config is still simply reused
        assertEquals(TrialRun.Start.REUSED, lifecycle(before, false).begin(new TrialRun(trial, 0, 1)).start());

        TrialLifecycle.refuseOverwrites(store, changed.trials(), true);
        TrialRun replaced = lifecycle(changed, true).begin(new TrialRun(again, 0, 1));
        assertEquals(TrialRun.Start.NEW, replaced.start());
        assertFalse(Files.exists(folder.checkpoint(2)), "--overwrite deleted the other config's results");
        assertEquals(ConfigHash.of(again.config()), store.find(folder.dir()).orElseThrow().configHash());
        replaced.finished();
    }

    @Test
    void runningOrFailedTrialsOfAnotherConfigAndUnknownFoldersAreRefusedToo() throws Exception {
        ExperimentConfig before = experiment();
        Trial trial = before.trials().get(0);
        RunFolder folder = RunFolder.of(trial.runDir());
        List<Trial> changed = experiment("training.epochs=3").trials();

        Files.createDirectories(folder.checkpoints());
        Files.writeString(folder.checkpoint(1), "weights of a cddpm train");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TrialLifecycle.refuseOverwrites(store, changed, false));
        assertTrue(e.getMessage().contains("no record"), e.getMessage());

        store.start(folder.dir(), "lc", trial.label(), ConfigHash.of(trial.config()), "", "k");
        e = assertThrows(InvalidInputException.class, () -> TrialLifecycle.refuseOverwrites(store, changed, false));
        assertTrue(e.getMessage().contains("RUNNING"), e.getMessage());
        store.fail(folder.dir(), "boom");
        e = assertThrows(InvalidInputException.class, () -> TrialLifecycle.refuseOverwrites(store, changed, false));
        assertTrue(e.getMessage().contains("FAILED"), e.getMessage());
        TrialLifecycle.refuseOverwrites(store, before.trials(), false); // its own config continues from its checkpoints
    }
}
