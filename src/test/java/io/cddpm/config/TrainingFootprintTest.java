package io.cddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.model.UNetSpec;
import io.cddpm.model.UNets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The memory estimate behind the model-size refusal: its parameter count is the UNet's own, and it refuses only beyond the machine. */
class TrainingFootprintTest {
    private static ExperimentConfig config(String yaml) {
        return ConfigLoader.fromYaml("name: f\n" + yaml, "f.yaml");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "model: {preset: tiny32}\nresolution: 32\n",
        "model: {preset: base32, conditioning: cross_attention}\nresolution: 32\n",
        "model: {preset: lab64}\n",
        "model: {preset: custom, block_out_channels: [16, 32, 32, 64], layers_per_block: 1, attention_levels: [false, true, false, true],"
                + " norm_groups: 8, conditioning: cross_attention, cross_attention_levels: [true, false, false, true], num_classes: 7}\n",
        "model: {preset: tiny32, patch_size: 2}\nresolution: 64\n"})
    void theParameterCountIsTheNetworksOwn(String yaml) {
        ExperimentConfig c = config(yaml);
        Engines.pytorch();
        try (NDManager manager = NDManager.newBaseManager()) {
            long built = UNets.parameterCount(UNets.create(UNetSpec.of(c.model(), c.resolution()), manager, 0));
            assertEquals(built, TrainingFootprint.of(c).parameters(), yaml);
        }
    }

    @Test
    void itIsALowerBoundOfWhatTrainingMeasured() {
        // docs/benchmark.md: tiny32 at batch 64, 32x32, fp32 peaked at 1515 MiB RSS (JVM and libtorch included)
        TrainingFootprint tiny = TrainingFootprint.of(config("model: {preset: tiny32}\nresolution: 32\n"));
        assertTrue(tiny.totalBytes() < 1515L << 20, tiny.toString());
        assertTrue(tiny.totalBytes() > 300L << 20, tiny.toString());
    }

    @Test
    void aTrainingBeyondTheMachineIsRefusedWithTheEstimate() {
        ExperimentConfig c = config("model: {preset: tiny32}\nresolution: 32\n");
        TrainingFootprint.requireFits(c, "f.yaml", 4L << 30);
        String m = assertThrows(InvalidInputException.class, () -> TrainingFootprint.requireFits(c, "f.yaml", 100L << 20)).getMessage();
        assertTrue(m.startsWith("f.yaml: training this model needs at least ") && m.contains("more than this machine's 100.0 MiB")
                && m.contains("model.block_out_channels [32, 64, 128]") && m.contains("a batch of 64 at 32x32"), m);
        assertEquals(List.of(32, 64, 128), c.model().resolved().blockOutChannels());
    }
}
