package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigHash;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Trial;
import io.cddpm.state.StateDatabase;
import io.cddpm.state.TrialStatus;
import io.cddpm.state.TrialStore;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state database written by the release before the training identity (cddpm a518940, whose config
 * hash covered every key): a two-trial sweep that finished, with its run folders' evaluations.json.
 * Opened by this release, its rows are re-keyed once, every finished trial is reused as it is, and a
 * changed sampling setting scores the finished trial instead of training it again.
 */
class LegacyStateTest {
    private static final String FIXTURE = "/state/legacy-a518940/";
    /** Where the fixture's sweep ran: its run folders' absolute paths in the database start with this. */
    private static final String RAN_IN = "/tmp/fixture-gen/runs";
    private static final List<String> LABELS = List.of("beta_schedule=linear", "beta_schedule=squaredcos_cap_v2");

    @TempDir
    Path dir;

    private ExperimentConfig experiment(String... overrides) throws Exception {
        Path yaml = copy("legacy.yaml", dir.resolve("legacy.yaml"));
        List<String> all = new java.util.ArrayList<>(List.of("output_dir=" + dir.resolve("runs")));
        all.addAll(List.of(overrides));
        return ConfigLoader.load(yaml, all);
    }

    private static Path copy(String resource, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        try (InputStream in = LegacyStateTest.class.getResourceAsStream(FIXTURE + resource)) {
            Files.copy(in, to);
        }
        return to;
    }

    /** The fixture's database and run folders in the temp folder, its rows pointing at them. */
    private StateDatabase openFixture(ExperimentConfig e) throws Exception {
        copy("cddpm.mv.db", dir.resolve("state/cddpm.mv.db"));
        for (String label : LABELS) {
            Path run = dir.resolve("runs/legacy").resolve(label);
            copy("runs/" + label + "/evaluations.json", run.resolve("evaluations.json"));
            copy("runs/" + label + "/config.yaml", run.resolve("config.yaml"));
            // the final checkpoint and the cached evaluator exist (their contents are not read to decide)
            Files.createDirectories(run.resolve("checkpoints"));
            Files.writeString(run.resolve("checkpoints/epoch-0002.ckpt"), "");
        }
        Path evaluator = EvaluatorWeights.trainedPath(e);
        Files.createDirectories(evaluator.getParent());
        Files.writeString(evaluator, "");
        StateDatabase state = StateDatabase.open(dir.resolve("state"));
        try (Connection c = state.dataSource().getConnection();
                PreparedStatement p = c.prepareStatement("UPDATE TRIAL SET RUN_DIR = REPLACE(RUN_DIR, ?, ?)")) {
            p.setString(1, RAN_IN);
            p.setString(2, dir.resolve("runs").toAbsolutePath().toString());
            assertEquals(2, p.executeUpdate());
        }
        return state;
    }

    @Test
    void everyFinishedTrialIsReKeyedAndReused() throws Exception {
        ExperimentConfig e = experiment();
        try (StateDatabase state = openFixture(e)) {
            List<Trial> trials = e.trials();
            TrialStore asWritten = new TrialStore(state.dataSource());
            for (Trial t : trials) {
                TrialStore.Row row = asWritten.find(t.runDir()).orElseThrow();
                assertEquals(TrialStatus.FINISHED, row.status());
                assertNotEquals(ConfigHash.of(t.config()), row.configHash(), "the old hash covered every key");
            }
            TrialStore store = TrialIdentity.store(state);
            for (Trial t : trials) {
                assertEquals(ConfigHash.of(t.config()), store.find(t.runDir()).orElseThrow().configHash(), t.label());
            }
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            TrialLifecycle life = new TrialLifecycle(new RecordingTracker(), store, e, new PrintStream(console, true));
            for (int i = 0; i < trials.size(); i++) {
                TrialRun run = life.begin(new TrialRun(trials.get(i), i, trials.size()));
                assertEquals(TrialRun.Start.REUSED, run.start(), console.toString());
            }
            // opened again: the database says it is keyed by the current identity, so nothing is re-hashed
            java.util.concurrent.atomic.AtomicInteger read = new java.util.concurrent.atomic.AtomicInteger();
            new TrialStore(state.dataSource(), new TrialStore.Identity(TrialIdentity.CURRENT.version(), yaml -> {
                read.incrementAndGet();
                return TrialIdentity.CURRENT.ofConfigYaml().apply(yaml);
            }));
            assertEquals(0, read.get());
        }
    }

    @Test
    void aChangedSamplingSettingScoresTheFinishedTrialInsteadOfTrainingIt() throws Exception {
        ExperimentConfig e = experiment("sampling.guidance=3.0");
        try (StateDatabase state = openFixture(e)) {
            TrialStore store = TrialIdentity.store(state);
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            TrialLifecycle life = new TrialLifecycle(new RecordingTracker(), store, e, new PrintStream(console, true));
            Trial t = e.trials().get(0);
            TrialRun run = life.begin(new TrialRun(t, 0, 2));
            assertEquals(TrialRun.Start.RESCORE, run.start(), console.toString());
            assertTrue(run.needsScoring() && !run.needsTraining());
            assertTrue(console.toString().contains("scoring its final checkpoint (checkpoints/epoch-0002.ckpt) under ddim5_w3_eta0: no training"),
                    console.toString());
            assertEquals("ddim5_w2_eta0", io.cddpm.config.SamplingSettings.slug(run.ownSampling()), "its own setting stays the one it ran with");
            assertEquals(TrialStatus.FINISHED, store.find(t.runDir()).orElseThrow().status());
        }
    }
}
