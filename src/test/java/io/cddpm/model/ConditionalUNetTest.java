package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.config.Conditioning;
import io.cddpm.config.ModelConfig;
import io.cddpm.config.ModelPreset;
import io.cddpm.core.Engines;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionalUNetTest {

    /** The parameter counts diffusers' UNet2DModel + Linear(24, 4 C0) has for the reference configs. */
    @ParameterizedTest
    @CsvSource({"TINY32, 32, 3943747", "BASE32, 32, 16062851", "LAB64, 64, 113686019"})
    void parameterCountsEqualDiffusers(ModelPreset preset, int size, long expected) {
        Engines.pytorch();
        ModelConfig config = new ModelConfig(preset, null, null, null, 8, 32, 24, null, null, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            ConditionalUNet unet = UNets.create(UNetSpec.of(config, size), manager, 0);
            assertEquals(expected, UNets.parameterCount(unet));
        }
    }

    /** The labels and the timestep both reach the output (the label Linear is added to the time embedding), and the shape is kept. */
    @Test
    void theConditionAndTheTimestepChangeTheOutput() {
        Engines.pytorch();
        ModelConfig config = new ModelConfig(ModelPreset.TINY32, null, null, null, 8, 32, 24, null, null, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            ConditionalUNet unet = UNets.create(UNetSpec.of(config, 16), manager, 0);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(new Shape(1, 3, 16, 16));
            NDArray none = manager.zeros(new Shape(1, 24), DataType.FLOAT32);
            float[] redCube = new float[24];
            redCube[1] = 1;
            NDArray red = manager.create(redCube, new Shape(1, 24));
            NDArray t500 = manager.create(new float[] {500});
            NDArray base = unet.predict(ps, x, t500, none, /* training= */ false);
            assertEquals(new Shape(1, 3, 16, 16), base.getShape());
            float byLabel = unet.predict(ps, x, t500, red, /* training= */ false).sub(base).abs().max().getFloat();
            float byTime = unet.predict(ps, x, manager.create(new float[] {10}), none, /* training= */ false).sub(base).abs().max().getFloat();
            float again = unet.predict(ps, x, t500, none, /* training= */ false).sub(base).abs().max().getFloat();
            Assertions.assertTrue(byLabel > 1e-4, "the label did not change the output: " + byLabel);
            Assertions.assertTrue(byTime > 1e-4, "the timestep did not change the output: " + byTime);
            assertEquals(0f, again, 0f, "the same input gives the same output");
        }
    }

    /**
     * With cross_attention the labels also reach the output through the label tokens alone (the added
     * class embedding zeroed), and an absent label's token has no effect: it enters as a zero token.
     */
    @Test
    void crossAttentionCarriesTheLabelsThroughTheirTokens() {
        Engines.pytorch();
        ModelConfig config = new ModelConfig(ModelPreset.TINY32, null, null, null, 8, 32, 24, Conditioning.CROSS_ATTENTION, null, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            ConditionalUNet unet = UNets.create(UNetSpec.of(config, 16), manager, 0);
            Map<String, NDArray> params = NamedParameters.arrays(unet);
            assertEquals(new Shape(24, 128), params.get("label_tokens").getShape());
            Assertions.assertTrue(params.containsKey("mid_block.cross_attentions.0.to_k.weight"), params.keySet().toString());
            Assertions.assertTrue(params.containsKey("up_blocks.0.cross_attentions.2.to_out.0.bias"), params.keySet().toString());
            // tiny32 + one cross-attention after each of its 6 self-attentions (128 channels, last level and
            // mid block): 24 x 128 tokens; GroupNorm, q and out (with bias), k and v (128 -> 128, no bias)
            long perBlock = 2 * 128 + 2 * (128 * 128 + 128) + 2 * (128 * 128);
            assertEquals(3943747 + 24 * 128 + 6 * perBlock, UNets.parameterCount(unet));
            params.get("class_embedding.weight").set(new float[Math.toIntExact(params.get("class_embedding.weight").size())]);
            params.get("class_embedding.bias").set(new float[Math.toIntExact(params.get("class_embedding.bias").size())]);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(new Shape(1, 3, 16, 16));
            NDArray t = manager.create(new float[] {500});
            float[] redCube = new float[24];
            redCube[1] = 1;
            NDArray red = manager.create(redCube, new Shape(1, 24));
            NDArray none = manager.zeros(new Shape(1, 24), DataType.FLOAT32);
            NDArray base = unet.predict(ps, x, t, red, /* training= */ false);
            float byLabel = unet.predict(ps, x, t, none, /* training= */ false).sub(base).abs().max().getFloat();
            Assertions.assertTrue(byLabel > 1e-4, "the label tokens did not change the output: " + byLabel);
            NDArray table = params.get("label_tokens");
            table.set(table.add(table.getManager().create(new float[24 * 128], new Shape(24, 128)).add(0.5f)
                    .mul(oneHot(manager, 5).expandDims(1))).toFloatArray()); // moves only label 5's token
            float byAbsent = unet.predict(ps, x, t, red, /* training= */ false).sub(base).abs().max().getFloat();
            assertEquals(0f, byAbsent, 0f, "an absent label's token changed the output");
            float byPresent = unet.predict(ps, x, t, red.add(oneHot(manager, 5).expandDims(0)), /* training= */ false)
                    .sub(unet.predict(ps, x, t, red, false)).abs().max().getFloat();
            Assertions.assertTrue(byPresent > 1e-4, "a present label's token did not change the output: " + byPresent);
        }
    }

    /**
     * cross_attention_levels adds cross-attention to a level without self-attention (after each of its
     * ResNet layers) and leaves the named levels' blocks, and so an existing checkpoint's names, as they were.
     */
    @Test
    void crossAttentionLevelsPlaceCrossAttentionWithoutSelfAttention() {
        Engines.pytorch();
        ModelConfig plain = new ModelConfig(ModelPreset.CUSTOM, List.of(16, 32), 1, List.of(false, true), 8, 8, 24,
                Conditioning.CROSS_ATTENTION, null, 1);
        ModelConfig both = new ModelConfig(ModelPreset.CUSTOM, List.of(16, 32), 1, List.of(false, true), 8, 8, 24,
                Conditioning.CROSS_ATTENTION, List.of(true, true), 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> before = NamedParameters.arrays(UNets.create(UNetSpec.of(plain, 16), manager, 0));
            ConditionalUNet unet = UNets.create(UNetSpec.of(both, 16), manager, 0);
            Map<String, NDArray> after = NamedParameters.arrays(unet);
            Assertions.assertTrue(after.keySet().containsAll(before.keySet()), "a name of the default layout disappeared");
            java.util.Set<String> added = new java.util.TreeSet<>(after.keySet());
            added.removeAll(before.keySet());
            // the 16-channel level: 1 down + 2 up ResNet layers, each followed by a cross-attention
            Assertions.assertTrue(added.contains("down_blocks.0.cross_attentions.0.to_q.weight"), added.toString());
            Assertions.assertTrue(added.contains("up_blocks.1.cross_attentions.1.to_k.weight"), added.toString());
            Assertions.assertTrue(added.stream().noneMatch(n -> n.contains(".attentions.")), added.toString());
            long perBlock = 2 * 16 + 2 * (16 * 16 + 16) + 2 * (16 * 64);
            assertEquals(UNets.parameterCount(UNets.create(UNetSpec.of(plain, 16), manager, 0)) + 3 * perBlock, UNets.parameterCount(unet));
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(new Shape(2, 3, 16, 16));
            NDArray out = unet.predict(ps, x, manager.create(new float[] {10, 900}), manager.zeros(new Shape(2, 24)), false);
            assertEquals(x.getShape(), out.getShape());
        }
    }

    private static NDArray oneHot(NDManager manager, int index) {
        float[] v = new float[24];
        v[index] = 1;
        return manager.create(v);
    }

    @Test
    void everyParameterHasAUniqueNameAndSurvivesASafetensorsRoundTrip() {
        Engines.pytorch();
        ModelConfig config = new ModelConfig(ModelPreset.TINY32, null, null, null, 8, 32, 24, null, null, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            ConditionalUNet a = UNets.create(UNetSpec.of(config, 16), manager, 1);
            ConditionalUNet b = UNets.create(UNetSpec.of(config, 16), manager, 2);
            Map<String, NDArray> pa = NamedParameters.arrays(a);
            assertEquals(a.getParameters().size(), pa.size());
            Assertions.assertTrue(pa.containsKey("down_blocks.0.resnets.0.norm1.weight"), pa.keySet().toString());
            byte[] bytes = Safetensors.toBytes(pa, Map.of());
            Map<String, NDArray> read = Safetensors.read(bytes, manager, "mem").tensors();
            Map<String, NDArray> pb = NamedParameters.arrays(b);
            pb.forEach((k, v) -> v.set(read.get(k).toByteBuffer()));
            NDArray x = manager.randomNormal(new Shape(2, 3, 16, 16));
            NDArray t = manager.create(new float[] {10, 900});
            NDArray y = manager.zeros(new Shape(2, 24), DataType.FLOAT32);
            ParameterStore ps = new ParameterStore(manager, false);
            float diff = a.predict(ps, x, t, y, /* training= */ false).sub(b.predict(ps, x, t, y, /* training= */ false)).abs().max().getFloat();
            assertEquals(0f, diff, 1e-6f);
        }
    }
}
