package io.cddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.InvalidInputException;
import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.DdimScheduler;
import io.cddpm.diffusion.DdpmScheduler;
import io.cddpm.diffusion.PredictionType;
import io.cddpm.diffusion.TimestepSampling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    private String error(String name, String yaml, String... overrides) throws IOException {
        Path p = write(name, yaml);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(p, List.of(overrides)));
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
        }
    }

    @Test
    void emptyDocumentIsAllDefaults() {
        // an empty experiment *file* is refused (ConfigInputTest); the document level still means "all defaults"
        ExperimentConfig c = ConfigLoader.fromYaml("", "empty.yaml");
        assertEquals(ExperimentConfig.defaults(), c);
        assertEquals(120, c.training().epochs());
        assertEquals(BetaSchedule.LINEAR, c.diffusion().betaSchedule());
        assertEquals(DdimScheduler.KIND, c.sampling().sampler());
        assertEquals(List.of("test", "new_test"), c.dataset().testFiles());
        assertTrue(c.dataset().rendered());
        assertTrue(c.evaluation().trainsEvaluator());
        assertFalse(c.hasSweep());
    }

    @Test
    void fileStatesOnlyWhatDiffers() throws IOException {
        ExperimentConfig c = ConfigLoader.load(write("q.yaml", """
                name: quickstart
                resolution: 32
                diffusion:
                  beta_schedule: squaredcos_cap_v2
                  prediction_type: v_prediction
                training:
                  epochs: 3
                  lr: 2e-4
                  ema: {decay: 0.999}
                  grad_clip: null
                sampling: {sampler: ddpm}
                """));
        assertEquals("quickstart", c.name());
        assertEquals("quickstart", c.experimentName());
        assertEquals(32, c.resolution());
        assertEquals(BetaSchedule.SQUAREDCOS_CAP_V2, c.diffusion().betaSchedule());
        assertEquals(PredictionType.V_PREDICTION, c.diffusion().predictionType());
        assertEquals(0.02, c.diffusion().betaEnd());
        assertEquals(3, c.training().epochs());
        assertEquals(2e-4, c.training().lr());
        assertEquals(0.999, c.training().ema().decay());
        assertTrue(c.training().ema().enabled());
        assertNull(c.training().gradClip());
        assertEquals(64, c.training().batchSize());
        assertEquals(DdpmScheduler.KIND, c.sampling().sampler());
    }

    @Test
    void unknownKeyNamesFileLineKeyAndNearestKey() throws IOException {
        String m = error("typo.yaml", """
                name: x
                training:
                  epochs: 3
                  epoch: 5
                """);
        assertContains(m, "typo.yaml:4", "training.epoch", "unknown key", "did you mean 'epochs'?");
    }

    @Test
    void unknownTopLevelKeySuggestsNearest() throws IOException {
        String m = error("top.yaml", "name: x\nresolutoin: 32\n");
        assertContains(m, "top.yaml:2", "'resolutoin'", "did you mean 'resolution'?");
    }

    @Test
    void keyInWrongSectionPointsToItsSection() throws IOException {
        String m = error("section.yaml", "model:\n  preset: tiny32\n  warmup_steps: 3\n");
        assertContains(m, "section.yaml:3", "model.warmup_steps", "did you mean 'training.warmup_steps'?");
    }

    @Test
    void wrongTypeNamesLineKeyAndExpectedType() throws IOException {
        String m = error("type.yaml", "training:\n  batch_size: many\n");
        assertContains(m, "type.yaml:2", "training.batch_size", "wrong type", "expected an integer", "'many'");
        m = error("float.yaml", "training:\n\n  epochs: 2.5\n");
        assertContains(m, "float.yaml:3", "training.epochs", "expected an integer");
        m = error("bool.yaml", "sampling:\n  use_ema: 1\n");
        assertContains(m, "bool.yaml:2", "sampling.use_ema", "true or false");
        m = error("list.yaml", "model:\n  block_out_channels: 32\n");
        assertContains(m, "list.yaml:2", "model.block_out_channels", "expected a list");
        m = error("elem.yaml", "model:\n  preset: custom\n  block_out_channels:\n    - 32\n    - lots\n");
        assertContains(m, "elem.yaml:5", "model.block_out_channels[1]", "expected an integer");
        m = error("section.yaml", "name: x\ntraining: 5\n");
        assertContains(m, "section.yaml:2", "'training'", "expected a mapping", "epochs");
        m = error("nullprim.yaml", "training:\n  epochs: null\n");
        assertContains(m, "nullprim.yaml:2", "training.epochs", "expected an integer, got null");
    }

    @Test
    void invalidEnumListsValidValues() throws IOException {
        String m = error("enum.yaml", "diffusion:\n  beta_schedule: cosine\n");
        assertContains(m, "enum.yaml:2", "diffusion.beta_schedule", "'cosine'", "linear, scaled_linear, squaredcos_cap_v2");
        m = error("enum2.yaml", "diffusion:\n  prediction_type: eps\n");
        assertContains(m, "enum2.yaml:2", "diffusion.prediction_type", "epsilon, sample, v_prediction");
        m = error("enum3.yaml", "sampling:\n  sampler: euler\n");
        assertContains(m, "enum3.yaml:2", "sampling.sampler", "ddpm, ddim");
        m = error("enum4.yaml", "model:\n  preset: huge\n");
        assertContains(m, "enum4.yaml:2", "model.preset", "tiny32, base32, lab64, custom");
        m = error("enum5.yaml", "training:\n  precision: fp16\n");
        assertContains(m, "enum5.yaml:2", "training.precision", "fp32, bf16");
        m = error("enum6.yaml", "model:\n  conditioning: concat\n");
        assertContains(m, "enum6.yaml:2", "model.conditioning", "add, cross_attention");
    }

    @Test
    void badValuesNameLineAndKey() throws IOException {
        assertContains(error("e.yaml", "training:\n  epochs: 0\n"), "e.yaml:2", "training.epochs", "> 0");
        assertContains(error("b.yaml", "training:\n  batch_size: -4\n"), "b.yaml:2", "training.batch_size", "> 0");
        assertContains(error("lr.yaml", "training:\n  lr: 0\n"), "lr.yaml:2", "training.lr", "> 0");
        assertContains(error("cd.yaml", "training:\n  cond_dropout: 1.5\n"), "cd.yaml:2", "training.cond_dropout", "[0, 1]");
        assertContains(error("ck.yaml", "training:\n  checkpoint_every: 0\n"), "ck.yaml:2", "training.checkpoint_every");
        assertContains(error("ev.yaml", "training:\n  checkpoint_every: 5\n  evaluate_every: 7\n"), "ev.yaml:3",
                "training.evaluate_every", "multiple of checkpoint_every");
        assertContains(error("ema.yaml", "training:\n  ema:\n    decay: 1.0\n"), "ema.yaml:3", "training.ema.decay");
        assertContains(error("dev.yaml", "training:\n  device: tpu\n"), "dev.yaml:2", "training.device", "gpu:N");
        assertContains(error("beta.yaml", "diffusion:\n  beta_start: 0.03\n"), "beta.yaml:2", "diffusion.beta_start");
        assertContains(error("steps.yaml", "sampling:\n  steps: 2000\n"), "steps.yaml:2", "sampling.steps", "train_timesteps");
        assertContains(error("cron.yaml", "schedule:\n  sweep_cron: every night\n"), "cron.yaml:2", "schedule.sweep_cron");
        assertContains(error("name.yaml", "name: a/b\n"), "name.yaml:1", "'name'");
        assertContains(error("tf.yaml", "dataset:\n  test_files: []\n"), "tf.yaml:2", "dataset.test_files");
    }

    @Test
    void resolutionMustFitTheModelDepth() throws IOException {
        // tiny32 has 3 levels: a multiple of 4
        assertContains(error("r.yaml", "resolution: 30\n"), "r.yaml:1", "'resolution'", "multiple of 2^(levels-1) = 4");
        // lab64 has 6 levels: a multiple of 32
        assertContains(error("r6.yaml", "model:\n  preset: lab64\nresolution: 48\n"), "r6.yaml:3", "'resolution'", "= 32");
        assertContains(error("r0.yaml", "resolution: 0\n"), "r0.yaml:1", "'resolution'");
        // resolution left at its default: the message points at the key that made it wrong
        assertContains(error("r7.yaml", "model:\n  preset: custom\n  block_out_channels: [32, 32, 32, 32, 32, 32, 32, 32]\n"
                + "  layers_per_block: 1\n  attention_levels: [false, false, false, false, false, false, false, false]\n"),
                "r7.yaml:3", "model.block_out_channels", "= 128");
    }

    @Test
    void modelChecks() throws IOException {
        assertContains(error("c.yaml", "model:\n  preset: custom\n  block_out_channels: [32, 64]\n"), "c.yaml:2", "model.preset",
                "needs block_out_channels, layers_per_block and attention_levels");
        assertContains(error("a.yaml", "model:\n  attention_levels: [true]\n"), "a.yaml:2", "model.attention_levels", "3 levels");
        assertContains(error("g.yaml", "model:\n  norm_groups: 24\n"), "g.yaml:2", "model.norm_groups", "not divisible");
        assertContains(error("x.yaml", "model:\n  cross_attention_levels: [false, true, true]\n"), "x.yaml:2",
                "model.cross_attention_levels", "conditioning: cross_attention", "add");
        assertContains(error("x2.yaml", "model:\n  conditioning: cross_attention\n  cross_attention_levels: [true]\n"), "x2.yaml:3",
                "model.cross_attention_levels", "1 entries", "3 levels");
        assertContains(error("x3.yaml", "model:\n  preset: custom\n  block_out_channels: [32, 48, 64]\n  layers_per_block: 1\n"
                + "  attention_levels: [false, false, true]\n  attention_head_dim: 32\n  conditioning: cross_attention\n"
                + "  cross_attention_levels: [false, true, true]\n  norm_groups: 16\n"), "x3.yaml:6", "model.attention_head_dim", "48", "cross-attention level 2");
    }

    @Test
    void crossAttentionLevelsDefaultToTheAttentionLevels() throws IOException {
        ExperimentConfig c = ConfigLoader.fromYaml("model: {conditioning: cross_attention}\n", "xa.yaml");
        assertEquals(c.model().resolved().attentionLevels(), c.model().crossAttentionAt());
        assertEquals(List.of(false, false, false), ConfigLoader.fromYaml("name: x\n", "add.yaml").model().crossAttentionAt());
        c = ConfigLoader.fromYaml("model: {conditioning: cross_attention, cross_attention_levels: [false, true, true]}\n", "xb.yaml");
        assertEquals(List.of(false, true, true), c.model().crossAttentionAt());
        // the default is outside the hash: a config written before the key keeps its hash
        assertEquals(ConfigHash.of(ConfigLoader.fromYaml("model: {conditioning: cross_attention}\n", "xa.yaml")),
                ConfigHash.of(ConfigLoader.fromYaml("model: {conditioning: cross_attention, cross_attention_levels: null}\n", "xn.yaml")));
        assertFalse(ConfigHash.canonicalJson(ConfigLoader.fromYaml("name: x\n", "a.yaml")).contains("cross_attention_levels"));
        assertTrue(ConfigHash.canonicalJson(c).contains("cross_attention_levels"));
    }

    @Test
    void timestepSamplingIsAKeyWithItsParameters() throws IOException {
        ExperimentConfig c = ConfigLoader.fromYaml("training: {timestep_sampling: logit_normal, logit_mean: 0.5}\n", "ts.yaml");
        assertEquals(TimestepSampling.LOGIT_NORMAL, c.training().timestepSampling());
        assertEquals(0.5, c.training().logitMean());
        assertEquals(1.0, c.training().logitStd());
        assertContains(error("ts1.yaml", "training:\n  timestep_sampling: lognorm\n"), "ts1.yaml:2", "training.timestep_sampling",
                "uniform, logit_normal");
        assertContains(error("ts2.yaml", "training:\n  logit_std: 0\n"), "ts2.yaml:2", "training.logit_std", "> 0");
        // uniform (and logit-normal's default location and scale) stay outside the hash
        String plain = ConfigHash.canonicalJson(ConfigLoader.fromYaml("name: x\n", "u.yaml"));
        assertFalse(plain.contains("timestep_sampling") || plain.contains("logit_"), plain);
        assertTrue(ConfigHash.canonicalJson(c).contains("\"timestep_sampling\":\"logit_normal\""));
    }

    @Test
    void yamlSyntaxErrorNamesFileAndLine() throws IOException {
        String m = error("syntax.yaml", "name: x\ntraining:\n  epochs: [1, 2\n  lr: 3\n");
        assertContains(m, "syntax.yaml:", "not valid YAML");
        m = error("tab.yaml", "name: x\ntraining:\n\tepochs: 3\n");
        assertContains(m, "tab.yaml:3", "not valid YAML", "TAB");
        m = error("dup.yaml", "name: x\ntraining:\n  epochs: 1\n  epochs: 2\n");
        assertContains(m, "dup.yaml:4", "training.epochs", "duplicate key", "dup.yaml:3");
        m = error("list.yaml", "- a\n- b\n");
        assertContains(m, "list.yaml:1", "must be a mapping");
    }

    @Test
    void missingFileIsBadInput() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml")));
        assertContains(e.getMessage(), "nope.yaml", "does not exist");
    }

    @Test
    void overridesAreTypedAndValidated() throws IOException {
        Path p = write("o.yaml", "name: x\ntraining:\n  epochs: 3\n");
        ExperimentConfig c = ConfigLoader.load(p, List.of("training.epochs=7", "training.lr=1e-3", "diffusion.beta_schedule=scaled_linear",
                "model.preset=custom", "model.block_out_channels=[32, 64]", "model.layers_per_block=1",
                "model.attention_levels=[false, true]", "tracking.uri=http://localhost:5000", "training.ema={decay: 0.99}",
                "schedule.sweep_cron=0 0 2 * * ?", "training.limit_images=null"));
        assertEquals(7, c.training().epochs());
        assertEquals(1e-3, c.training().lr());
        assertEquals(BetaSchedule.SCALED_LINEAR, c.diffusion().betaSchedule());
        assertEquals(List.of(32, 64), c.model().resolved().blockOutChannels());
        assertEquals("http://localhost:5000", c.tracking().uri());
        assertEquals(0.99, c.training().ema().decay());
        assertTrue(c.training().ema().enabled());
        assertEquals("0 0 2 * * ?", c.schedule().sweepCron());
        assertNull(c.training().limitImages());

        assertContains(error("o1.yaml", "name: x\n", "training.epochs=0"), "--set training.epochs=0", "training.epochs", "> 0");
        assertContains(error("o2.yaml", "name: x\n", "training.epoch=3"), "--set training.epoch=3", "did you mean 'epochs'?");
        assertContains(error("o3.yaml", "name: x\n", "training.epochs=lots"), "--set training.epochs=lots", "expected an integer");
        assertContains(error("o4.yaml", "name: x\n", "diffusion.beta_schedule=cos"), "--set diffusion.beta_schedule=cos", "squaredcos_cap_v2");
        assertContains(error("o5.yaml", "name: x\n", "epochs"), "--set epochs", "dotted.key=value");
        // the file's other keys keep their lines
        assertContains(error("o6.yaml", "name: x\ntraining:\n  lr: -1\n", "training.epochs=4"), "o6.yaml:3", "training.lr");
    }

    @Test
    void overrideOfAnExistingConfig() {
        ExperimentConfig c = ConfigLoader.override(ExperimentConfig.defaults(), List.of("training.epochs=2"));
        assertEquals(2, c.training().epochs());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ConfigLoader.override(ExperimentConfig.defaults(), List.of("sampling.eta=2")));
        assertContains(e.getMessage(), "--set sampling.eta=2", "sampling.eta");
    }

    @Test
    void negativeObjectGuidanceIsRefusedByItsKey() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ConfigLoader.fromYaml("name: x\nsampling: {object_guidance: -1}\n", "og.yaml"));
        assertContains(e.getMessage(), "og.yaml", "sampling.object_guidance", "-1");
    }

    @Test
    void yamlAndJsonRoundTrip() throws IOException {
        ExperimentConfig c = ConfigLoader.load(write("rt.yaml", """
                name: "rt"
                dataset: {image_dir: "true"}
                tracking: {uri: "http://127.0.0.1:5000", experiment: "null"}
                model: {preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true]}
                training: {lr: 0.0003, limit_images: 10, device: "gpu:1"}
                schedule: {sweep_cron: "0 0 2 * * ?"}
                sweep:
                  diffusion.beta_schedule: [linear, squaredcos_cap_v2]
                  training.lr: [0.001, 1e-4]
                """));
        String yaml = ConfigLoader.toYaml(c);
        assertEquals(c, ConfigLoader.fromYaml(yaml, "roundtrip"), yaml);
        assertEquals(c, ConfigLoader.fromJson(ConfigLoader.toJson(c), "roundtrip.json"));
        assertEquals(ConfigHash.of(c), ConfigHash.of(ConfigLoader.fromYaml(yaml, "roundtrip")));
        assertTrue(yaml.contains("beta_schedule: linear"), yaml);
        assertTrue(yaml.contains("output_dir: runs"), yaml);
        for (Trial t : c.trials()) {
            assertEquals(t.config(), ConfigLoader.fromYaml(ConfigLoader.toYaml(t.config()), "trial"));
        }
    }
}
