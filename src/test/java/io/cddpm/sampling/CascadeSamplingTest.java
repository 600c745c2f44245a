package io.cddpm.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.model.ConditionalUNet;
import io.cddpm.model.NamedParameters;
import io.cddpm.model.UNetSpec;
import io.cddpm.model.UNets;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.Provenance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cascade drawn by one sampler: the base model's images, then the super-resolution stage's (issue 28). */
class CascadeSamplingTest {
    private static final Provenance PROVENANCE = new Provenance("0.1.0", null, "0.33.0", "2.5.1", "djl", "fp32", "cpu()", "test", "host",
            "2026-12-07T00:00:00Z", 1.0);

    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        Engines.pytorch();
    }

    private static ExperimentConfig config(int resolution, String... sets) {
        List<String> all = new ArrayList<>(List.of("name=c", "resolution=" + resolution, "model.preset=custom", "model.block_out_channels=[8, 16]",
                "model.layers_per_block=1", "model.attention_levels=[false, false]", "model.norm_groups=4", "diffusion.train_timesteps=20",
                "sampling.steps=3", "sampling.guidance=2", "model.super_resolution.augmentation_max=10"));
        all.addAll(List.of(sets));
        return ConfigLoader.override(ExperimentConfig.defaults(), all);
    }

    /** A checkpoint of an untrained model of this config (seeded weights, EMA = weights). */
    private static Path checkpoint(ExperimentConfig config, String name) {
        Path file = dir.resolve(name + "/checkpoints/epoch-0001.ckpt");
        try (NDManager m = NDManager.newBaseManager()) {
            ConditionalUNet unet = UNets.create(UNetSpec.of(config.model(), config.resolution()), m, 3);
            Map<String, NDArray> weights = NamedParameters.arrays(unet);
            new Checkpoint(config, 1, 10, weights, weights, Map.of(), List.of(), PROVENANCE).write(file);
        }
        return file;
    }

    private static float[][] conditions(int n) {
        float[][] c = new float[n][24];
        for (int i = 0; i < n; i++) {
            c[i][i % 24] = 1;
            c[i][(i * 7 + 3) % 24] = 1;
        }
        return c;
    }

    private static float[] draw(Path stage, SamplingConfig s, int n) {
        try (ImageSampler sampler = ImageSampler.fromCheckpoint(stage, true); NDManager out = NDManager.newBaseManager()) {
            NDArray images = sampler.sample(conditions(n), s, 2, 0, out).images();
            assertEquals(List.of((long) n, 3L, 16L, 16L), Arrays.stream(images.getShape().getShape()).boxed().toList());
            return images.toFloatArray();
        }
    }

    @Test
    void oneSamplerDrawsBothStagesDeterministicallyPerSeed() {
        Path base = checkpoint(config(8), "base8");
        ExperimentConfig sr = config(16, "model.super_resolution.from=8", "sampling.base=" + base, "sampling.augmentation=5");
        Path stage = checkpoint(sr, "sr16");
        SamplingConfig s = sr.sampling();
        float[] a = draw(stage, s, 3);
        for (float v : a) {
            assertTrue(Float.isFinite(v) && v >= -1 && v <= 1, "pixel " + v);
        }
        assertArrayEquals(a, draw(stage, s, 3), "the same seed: the same base images, augmentation noise and stage noise");
        assertFalse(Arrays.equals(a, draw(stage, s.withSeed(1), 3)), "another seed: other images");
        SamplingConfig lessNoise = new SamplingConfig(s.sampler(), s.steps(), s.eta(), s.guidance(), s.objectGuidance(), s.seed(), true, s.base(), 0);
        assertFalse(Arrays.equals(a, draw(stage, lessNoise, 3)), "the augmentation level reaches the stage");
        assertEquals("ddim3_w2_eta0_base8.epoch-0001_a5", SamplingSettings.slug(s));
    }

    @Test
    void theBaseMustDrawTheStagesInputResolution() {
        Path wrong = checkpoint(config(16), "base16");
        ExperimentConfig sr = config(16, "model.super_resolution.from=8", "sampling.base=" + wrong);
        Path stage = checkpoint(sr, "sr16b");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> draw(stage, sr.sampling(), 1));
        assertTrue(e.getMessage().contains("draws 16x16 images") && e.getMessage().contains("reads 8x8"), e.getMessage());
        ExperimentConfig missing = config(16, "model.super_resolution.from=8", "sampling.base=" + dir.resolve("nothing.ckpt"));
        e = assertThrows(InvalidInputException.class, () -> draw(stage, missing.sampling(), 1));
        assertTrue(e.getMessage().contains("sampling.base") && e.getMessage().contains("nothing.ckpt"), e.getMessage());
    }

    @Test
    void theConfigSaysWhatAStageNeedsAndWhatAPlainModelMustNotHave() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> config(16, "model.super_resolution.from=8"));
        assertTrue(e.getMessage().contains("sampling.base") && e.getMessage().contains("8x8"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> config(16, "sampling.base=models/iclevr32"));
        assertTrue(e.getMessage().contains("sampling.base") && e.getMessage().contains("super-resolution stage only"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> config(16, "model.super_resolution.from=8", "sampling.base=b", "sampling.augmentation=20"));
        assertTrue(e.getMessage().contains("sampling.augmentation") && e.getMessage().contains("[0, diffusion.train_timesteps = 20)"),
                e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> config(16, "sampling.augmentation=3"));
        assertTrue(e.getMessage().contains("sampling.augmentation"), e.getMessage());
        assertEquals("iclevr32", SamplingSettings.slug(config(16, "model.super_resolution.from=8", "sampling.base=iclevr32").sampling())
                .replaceAll(".*_(iclevr32)_a0$", "$1"));
        assertEquals("ddim3_w2_eta0_iclevr32.3_a0",
                SamplingSettings.slug(config(16, "model.super_resolution.from=8", "sampling.base=models:/iclevr32/3").sampling()));
    }
}
