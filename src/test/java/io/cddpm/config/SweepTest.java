package io.cddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.InvalidInputException;
import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.PredictionType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepTest {
    private static final String ABLATION = """
            name: ablation
            training:
              epochs: 2
            sweep:
              diffusion.beta_schedule: [linear, squaredcos_cap_v2]
              diffusion.prediction_type: [epsilon, sample]
            """;

    private static String error(String yaml) {
        return assertThrows(InvalidInputException.class, () -> ConfigLoader.fromYaml(yaml, "s.yaml")).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
        }
    }

    @Test
    void cartesianProductInStableOrder() {
        ExperimentConfig c = ConfigLoader.fromYaml(ABLATION, "ablation.yaml");
        assertEquals(Map.of("diffusion.beta_schedule", List.of("linear", "squaredcos_cap_v2"),
                "diffusion.prediction_type", List.of("epsilon", "sample")), c.sweep());
        List<Trial> trials = c.trials();
        assertEquals(List.of("beta_schedule=linear,prediction_type=epsilon", "beta_schedule=linear,prediction_type=sample",
                "beta_schedule=squaredcos_cap_v2,prediction_type=epsilon", "beta_schedule=squaredcos_cap_v2,prediction_type=sample"),
                trials.stream().map(Trial::label).toList());
        Trial last = trials.get(3);
        assertEquals(BetaSchedule.SQUAREDCOS_CAP_V2, last.config().diffusion().betaSchedule());
        assertEquals(PredictionType.SAMPLE, last.config().diffusion().predictionType());
        assertEquals(List.of("diffusion.beta_schedule", "diffusion.prediction_type"), List.copyOf(last.values().keySet()));
        assertEquals("squaredcos_cap_v2", last.values().get("diffusion.beta_schedule"));
        assertTrue(last.config().sweep().isEmpty());
        assertEquals(2, last.config().training().epochs());
        assertEquals(c.trials(), trials);
        // a trial is the same config as one written without a sweep: same hash
        ExperimentConfig plain = ConfigLoader.fromYaml("""
                name: ablation
                training: {epochs: 2}
                diffusion: {beta_schedule: squaredcos_cap_v2, prediction_type: sample}
                """, "plain.yaml");
        assertEquals(ConfigHash.of(plain), ConfigHash.of(last.config()));
        assertEquals(4, trials.stream().map(t -> ConfigHash.of(t.config())).distinct().count());
    }

    @Test
    void noSweepIsOneDefaultTrial() {
        ExperimentConfig c = ConfigLoader.fromYaml("name: one\n", "one.yaml");
        List<Trial> trials = c.trials();
        assertEquals(1, trials.size());
        assertEquals("default", trials.get(0).label());
        assertEquals("default", trials.get(0).runName());
        assertEquals(c, trials.get(0).config());
        assertTrue(trials.get(0).values().isEmpty());
    }

    @Test
    void labelsUseFullKeysWhenLastPartsCollideAndAreFilesystemSafe() {
        ExperimentConfig c = ConfigLoader.fromYaml("""
                sweep:
                  training.seed: [1, 2]
                  sampling.seed: [3]
                  model.block_out_channels: [[32, 64, 128]]
                  training.lr: [0.001]
                """, "s.yaml");
        // sampling.seed varies no training: it is a sampling setting of every trial, not a trial of its own
        assertEquals("seed=1,block_out_channels=_32,64,128_,lr=0.001", c.trials().get(0).label());
        assertEquals(3L, c.trials().get(0).config().sampling().seed());
        assertEquals("1 · [32, 64, 128] · 0.001", c.trials().get(0).runName(), "the tracker's run name: the values alone, short and distinct");
        assertEquals(List.of(32, 64, 128), c.trials().get(0).config().model().blockOutChannels());
        assertEquals(2L, c.trials().get(1).config().training().seed());
    }

    @Test
    void sweepErrorsNameLineAndKey() {
        assertContains(error("name: x\nsweep:\n  diffusion.beta_schedule: []\n"), "s.yaml:3", "sweep.diffusion.beta_schedule", "empty sweep axis");
        assertContains(error("sweep:\n  diffusion.beta_shedule: [linear]\n"), "s.yaml:2", "unknown sweep key",
                "did you mean 'diffusion.beta_schedule'?");
        assertContains(error("sweep:\n  name: [a, b]\n"), "s.yaml:2", "sweep.name", "cannot vary");
        assertContains(error("sweep:\n  training.epochs: 5\n"), "s.yaml:2", "sweep.training.epochs", "list of values");
        assertContains(error("sweep: [a]\n"), "s.yaml:1", "'sweep'", "mapping of dotted keys");
        assertContains(error("sweep:\n  training.epochs: [1, 2, 1]\n"), "s.yaml:2", "sweep.training.epochs[2]", "duplicate");
        // a value of the grid that is invalid points at the value's line, and names the trial
        assertContains(error("sweep:\n  training.epochs:\n    - 3\n    - 0\n"), "s.yaml:4", "'training.epochs'", "> 0",
                "sweep trial 'epochs=0'");
        assertContains(error("sweep:\n  diffusion.beta_schedule: [linear, cosine]\n"), "s.yaml:2", "diffusion.beta_schedule",
                "linear, scaled_linear, squaredcos_cap_v2");
        assertContains(error("sweep:\n  training.lr: [fast]\n"), "s.yaml:2", "training.lr", "expected a number");
    }

    @Test
    void sweepOverride() {
        ExperimentConfig c = ConfigLoader.fromYaml(ABLATION, "a.yaml", List.of("sweep.training.lr=[0.001, 0.002]"));
        assertEquals(8, c.trials().size());
        ExperimentConfig none = ConfigLoader.fromYaml(ABLATION, "a.yaml", List.of("sweep={}"));
        assertEquals(1, none.trials().size());
        assertContains(assertThrows(InvalidInputException.class,
                () -> ConfigLoader.fromYaml(ABLATION, "a.yaml", List.of("sweep.training.lr=[]"))).getMessage(),
                "--set sweep.training.lr=[]", "empty sweep axis");
    }

    @Test
    void hashIsStableAndSensitive() {
        ExperimentConfig a = ConfigLoader.fromYaml("name: h\ntraining: {epochs: 3, lr: 0.001}\n", "a.yaml");
        ExperimentConfig b = ConfigLoader.fromYaml("training:\n  lr: 1e-3\n  epochs: 3\n  batch_size: 64\nname: h\n", "b.yaml");
        assertEquals(ConfigHash.of(a), ConfigHash.of(b));
        assertEquals(64, ConfigHash.of(a).length());
        assertTrue(ConfigHash.of(a).matches("[0-9a-f]{64}"));
        ExperimentConfig c = ConfigLoader.fromYaml("name: h\ntraining: {epochs: 4, lr: 0.001}\n", "c.yaml");
        assertNotEquals(ConfigHash.of(a), ConfigHash.of(c));
        String json = ConfigHash.canonicalJson(a);
        assertTrue(json.startsWith("{\"dataset\":{"), json);
        assertTrue(json.indexOf("\"batch_size\"") < json.indexOf("\"checkpoint_every\""), json);
    }

    /** model.conditioning came later: its default (the reference's add) leaves older configs' hashes as they were. */
    @Test
    void theDefaultConditioningKeepsOlderHashes() {
        ExperimentConfig plain = ConfigLoader.fromYaml("name: h\n", "a.yaml");
        ExperimentConfig stated = ConfigLoader.fromYaml("name: h\nmodel: {conditioning: add}\n", "b.yaml");
        ExperimentConfig cross = ConfigLoader.fromYaml("name: h\nmodel: {conditioning: cross_attention}\n", "c.yaml");
        assertFalse(ConfigHash.canonicalJson(plain).contains("conditioning"), ConfigHash.canonicalJson(plain));
        assertEquals(ConfigHash.of(plain), ConfigHash.of(stated));
        assertTrue(ConfigHash.canonicalJson(cross).contains("\"conditioning\":\"cross_attention\""));
        assertNotEquals(ConfigHash.of(plain), ConfigHash.of(cross));
        assertEquals(Conditioning.CROSS_ATTENTION, cross.model().conditioning());
    }

    /** What changes no weight changes no identity: sampling, evaluation, tracking, schedule, names, test files, device. */
    @Test
    void onlyWhatDeterminesTheWeightsIsHashed() {
        ExperimentConfig plain = ConfigLoader.fromYaml("name: h\n", "a.yaml");
        for (String other : List.of("name: other\n", "name: h\noutput_dir: elsewhere\n", "name: h\nsampling: {guidance: 3, steps: 20, object_guidance: 1}\n",
                "name: h\nevaluation: {evaluator: x.pth}\n", "name: h\ntracking: {uri: 'http://127.0.0.1:5000'}\n",
                "name: h\nschedule: {reeval_cron: '0 0 3 * * ?'}\n", "name: h\ndataset: {test_files: [test]}\n",
                "name: h\ntraining: {evaluate_every: 10, device: cpu}\n")) {
            ExperimentConfig c = ConfigLoader.fromYaml(other, "b.yaml");
            assertEquals(ConfigHash.of(plain), ConfigHash.of(c), other);
        }
        for (String other : List.of("name: h\ntraining: {lr: 0.001}\n", "name: h\ntraining: {seed: 1}\n", "name: h\nresolution: 32\n",
                "name: h\ndiffusion: {prediction_type: sample}\n", "name: h\ndataset: {render: {count: 10}}\n")) {
            assertNotEquals(ConfigHash.of(plain), ConfigHash.of(ConfigLoader.fromYaml(other, "c.yaml")), other);
        }
        assertFalse(ConfigHash.canonicalJson(plain).contains("sampling"), ConfigHash.canonicalJson(plain));
    }

    /** A sweep over sampling keys makes one trial, sampled with the first point and scored under every point. */
    @Test
    void aSamplingSweepTrainsOnceAndScoresEverySetting() {
        ExperimentConfig c = ConfigLoader.fromYaml("""
                name: s
                sampling: {guidance: 9}
                sweep:
                  diffusion.beta_schedule: [linear, squaredcos_cap_v2]
                  sampling.guidance: [1, 2, 3]
                  sampling.steps: [10, 20]
                """, "s.yaml");
        List<Trial> trials = c.trials();
        assertEquals(List.of("beta_schedule=linear", "beta_schedule=squaredcos_cap_v2"), trials.stream().map(Trial::label).toList());
        ExperimentConfig first = trials.get(0).config();
        assertEquals(1.0, first.sampling().guidance());
        assertEquals(10, first.sampling().steps());
        List<SamplingConfig> settings = SamplingSettings.of(first);
        assertEquals(List.of("ddim10_w1_eta0", "ddim20_w1_eta0", "ddim10_w2_eta0", "ddim20_w2_eta0", "ddim10_w3_eta0", "ddim20_w3_eta0"),
                settings.stream().map(SamplingSettings::slug).toList());
        assertEquals(ConfigHash.of(first), ConfigHash.of(ConfigLoader.fromYaml("name: s\n", "t.yaml")));
        // a bad point is named when the YAML is read
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ConfigLoader.fromYaml("sweep:\n  sampling.steps: [10, 5000]\n", "bad.yaml"));
        assertTrue(e.getMessage().contains("sampling point 'steps=5000'"), e.getMessage());
    }

    /**
     * The identity of a finished run's config (iclevr32x, 2026-12-04) is pinned: a change of what the hash
     * covers must come with a new {@code pipeline.TrialIdentity} version, whose migration re-keys the
     * state databases written before it (LegacyStateTest).
     */
    @Test
    void aRecordedRunKeepsItsHash() throws Exception {
        try (var in = SweepTest.class.getResourceAsStream("/config/iclevr32x-2026-12-04.yaml")) {
            ExperimentConfig c = ConfigLoader.fromYaml(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "iclevr32x.yaml");
            assertEquals("4897de734acb4c75c42436910319effd10ec52ca441646500decf73f3499380e", ConfigHash.of(c));
        }
    }

    @Test
    void flattenGivesDottedKeysForMlflow() {
        ExperimentConfig c = ConfigLoader.fromYaml(ABLATION, "a.yaml");
        Map<String, String> f = ConfigFlattener.flatten(c);
        assertEquals("linear", f.get("diffusion.beta_schedule"));
        assertEquals("2", f.get("training.epochs"));
        assertEquals("0.9999", f.get("training.ema.decay"));
        assertEquals("null", f.get("model.block_out_channels"));
        assertEquals("[\"test\",\"new_test\"]", f.get("dataset.test_files"));
        assertEquals("[\"linear\",\"squaredcos_cap_v2\"]", f.get("sweep.diffusion.beta_schedule"));
        assertEquals("ablation", f.get("name"));
        assertEquals("name", f.keySet().iterator().next());
        Map<String, String> trial = ConfigFlattener.flatten(c.trials().get(3).config());
        assertEquals("sample", trial.get("diffusion.prediction_type"));
        assertTrue(trial.keySet().stream().noneMatch(k -> k.startsWith("sweep")));
    }

    @Test
    void presetsResolve() {
        ModelConfig tiny = ConfigLoader.fromYaml("", "d.yaml").model().resolved();
        assertEquals(List.of(32, 64, 128), tiny.blockOutChannels());
        assertEquals(2, tiny.layersPerBlock());
        assertEquals(List.of(false, false, true), tiny.attentionLevels());
        ModelConfig base = ConfigLoader.fromYaml("model: {preset: base32}", "d.yaml").model().resolved();
        assertEquals(List.of(64, 128, 256), base.blockOutChannels());
        assertEquals(List.of(false, true, true), base.attentionLevels());
        ModelConfig lab = ConfigLoader.fromYaml("model: {preset: lab64}", "d.yaml").model().resolved();
        assertEquals(List.of(128, 128, 256, 256, 512, 512), lab.blockOutChannels());
        assertEquals(List.of(false, false, false, false, true, false), lab.attentionLevels());
        assertEquals(6, lab.levels());
        ModelConfig over = ConfigLoader.fromYaml("model: {preset: lab64, layers_per_block: 1}", "d.yaml").model().resolved();
        assertEquals(1, over.layersPerBlock());
        assertEquals(ModelPreset.LAB64, over.preset());
    }

    @Test
    void emaDecayFollowsDiffusersWarmup() {
        EmaConfig ema = new EmaConfig(true, 0.999, 2);
        assertEquals(0.0, ema.decayAt(1));
        assertEquals(0.0, ema.decayAt(3));
        assertEquals(2.0 / 11.0, ema.decayAt(4), 1e-12);
        assertEquals(0.999, ema.decayAt(1_000_000));
    }
}
