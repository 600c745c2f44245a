package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.config.Conditioning;
import io.cddpm.config.ModelConfig;
import io.cddpm.config.ModelPreset;
import io.cddpm.core.Engines;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuidedDenoiserTest {
    private static final int T = 600;

    /** A small UNet (two levels, attention at the second) at 16x16, so each forward pass is cheap. */
    private static ConditionalUNet unet(Conditioning conditioning, NDManager m) {
        ModelConfig config = new ModelConfig(ModelPreset.CUSTOM, List.of(16, 32), 1, List.of(false, true), 8, 8, 24, conditioning, null, 1);
        return UNets.create(UNetSpec.of(config, 16), m, 0);
    }

    /** One set each of one, two and three labels (red cube, + blue sphere, + yellow cylinder). */
    private static float[][] sets() {
        float[][] s = new float[3][24];
        s[0][1] = 1;
        s[1][1] = 1;
        s[1][10] = 1;
        s[2][1] = 1;
        s[2][10] = 1;
        s[2][21] = 1;
        return s;
    }

    private static NDArray single(ConditionalUNet unet, ParameterStore ps, NDManager m, NDArray x, float[] labels) {
        return unet.predict(ps, x, m.create(new float[] {T}), m.create(labels, new Shape(1, 24)), false);
    }

    /** The batched pass gives u + w (c - u) + v sum_i (c - c_{-i}), computed here image by image, label by label. */
    @Test
    void guidanceIsTheFormulaOverSeparatePasses() {
        Engines.pytorch();
        double w = 2.5;
        double v = 1.5;
        try (NDManager m = NDManager.newBaseManager()) {
            ConditionalUNet unet = unet(Conditioning.CROSS_ATTENTION, m);
            ParameterStore ps = new ParameterStore(m, false);
            float[][] sets = sets();
            NDArray x = m.randomNormal(new Shape(3, 3, 16, 16));
            GuidedDenoiser denoiser = new GuidedDenoiser(unet, ps, sets, w, v, m);
            assertEquals(3 + 3 + (1 + 2 + 3), denoiser.rowsPerStep());
            NDArray got = denoiser.predict(x, T);
            for (int b = 0; b < 3; b++) {
                NDArray xb = x.get(b + ":" + (b + 1));
                NDArray c = single(unet, ps, m, xb, sets[b]);
                NDArray u = single(unet, ps, m, xb, new float[24]);
                NDArray expected = u.add(c.sub(u).mul(w));
                for (int i = 0; i < 24; i++) {
                    if (sets[b][i] != 0) {
                        float[] without = sets[b].clone();
                        without[i] = 0;
                        expected = expected.add(c.sub(single(unet, ps, m, xb, without)).mul(v));
                    }
                }
                float diff = got.get(b + ":" + (b + 1)).sub(expected).abs().max().getFloat();
                float scale = expected.abs().max().getFloat();
                assertTrue(diff <= 1e-4f * Math.max(1f, scale), "set " + b + ": max difference " + diff + " (scale " + scale + ")");
            }
        }
    }

    /** A super-resolution stage: every guidance row reads its own sample's condition image; the result is the formula's. */
    @Test
    void aSuperResolutionStageGuidesWithEachSamplesConditionImage() {
        Engines.pytorch();
        double w = 3;
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig config = new ModelConfig(ModelPreset.CUSTOM, List.of(16, 32), 1, List.of(false, true), 8, 8, 24, Conditioning.ADD, null, 1);
            ConditionalUNet unet = UNets.create(UNetSpec.of(config, 16).withConditionImage(3), m, 0);
            ParameterStore ps = new ParameterStore(m, false);
            float[][] sets = sets();
            NDArray x = m.randomNormal(new Shape(3, 3, 16, 16));
            NDArray images = m.randomNormal(new Shape(3, 3, 16, 16));
            NDArray got = new GuidedDenoiser(unet, ps, sets, w, 0, m).withConditionImage(images, 100).predict(x, T);
            for (int b = 0; b < 3; b++) {
                NDArray xb = x.get(b + ":" + (b + 1));
                NDArray ib = images.get(b + ":" + (b + 1));
                NDArray c = unet.predict(ps, xb, m.create(new float[] {T}), m.create(sets[b], new Shape(1, 24)), ib, m.create(new float[] {100}), false);
                NDArray u = unet.predict(ps, xb, m.create(new float[] {T}), m.create(new float[24], new Shape(1, 24)), ib, m.create(new float[] {100}), false);
                NDArray expected = u.add(c.sub(u).mul(w));
                float diff = got.get(b + ":" + (b + 1)).sub(expected).abs().max().getFloat();
                assertTrue(diff <= 1e-4f * Math.max(1f, expected.abs().max().getFloat()), "set " + b + ": max difference " + diff);
            }
            assertThrows(IllegalArgumentException.class, () -> new GuidedDenoiser(unet, ps, sets, w, 0, m).withConditionImage(images.get("0:2"), 100));
        }
    }

    /** Rows per step: B for the plain conditional, 2B with guidance, + one per label with per-object guidance. */
    @Test
    void eachSettingRunsOnlyTheRowsItNeeds() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            ConditionalUNet unet = unet(Conditioning.ADD, m);
            ParameterStore ps = new ParameterStore(m, false);
            assertEquals(3, new GuidedDenoiser(unet, ps, sets(), 1.0, 0.0, m).rowsPerStep());
            assertEquals(6, new GuidedDenoiser(unet, ps, sets(), 2.0, 0.0, m).rowsPerStep());
            assertEquals(3 + 6, new GuidedDenoiser(unet, ps, sets(), 1.0, 1.0, m).rowsPerStep());
        }
    }

    /** For a one-label set the set without its label is the null condition: v adds to w, nothing else. */
    @Test
    void onOneLabelObjectGuidanceIsMoreClassifierFreeGuidance() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            ConditionalUNet unet = unet(Conditioning.ADD, m);
            ParameterStore ps = new ParameterStore(m, false);
            float[][] one = {sets()[0], sets()[0]};
            NDArray x = m.randomNormal(new Shape(2, 3, 16, 16));
            NDArray split = new GuidedDenoiser(unet, ps, one, 2.0, 1.0, m).predict(x, T);
            NDArray merged = new GuidedDenoiser(unet, ps, one, 3.0, 0.0, m).predict(x, T);
            float diff = split.sub(merged).abs().max().getFloat();
            assertTrue(diff <= 1e-4f * Math.max(1f, merged.abs().max().getFloat()), "max difference " + diff);
            float moved = split.sub(new GuidedDenoiser(unet, ps, one, 2.0, 0.0, m).predict(x, T)).abs().max().getFloat();
            assertTrue(moved > 1e-4f, "object guidance changed nothing: " + moved);
        }
    }
}
