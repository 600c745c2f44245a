package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    @TempDir
    Path dir;

    private Path tinyCustom() throws Exception {
        Path yaml = dir.resolve("narrow.yaml");
        Files.writeString(yaml, """
                name: narrow
                resolution: 16
                model: { preset: custom, block_out_channels: [8, 16], layers_per_block: 1, attention_levels: [false, false], norm_groups: 4 }
                diffusion: { prediction_type: sample }
                training: { batch_size: 4 }
                """);
        return yaml;
    }

    @Test
    void configBenchmarksTheExperimentsOwnNetworkAtItsResolutionAndBatch() throws Exception {
        Path yaml = tinyCustom();
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            exit = Main.run("bench", "--config", yaml.toString(), "--set", "training.batch_size=3", "--iters", "1", "--warmup", "0");
        } finally {
            System.setOut(old);
        }
        assertEquals(ExitCodes.OK, exit);
        String text = out.toString(StandardCharsets.UTF_8).strip();
        JsonNode r = new ObjectMapper().readTree(text.substring(text.lastIndexOf('\n') + 1));
        assertEquals("narrow.yaml (custom)", r.get("arch").asText());
        assertEquals(16, r.get("resolution").asInt());
        assertEquals(3, r.get("batch").asInt(), "--set applies before the batch size is read");
        assertEquals("fp32", r.get("precision").asText(), "the experiment's training.precision (default fp32)");
        assertTrue(r.get("train_images_per_second").asDouble() > 0);
        assertTrue(r.get("parameters").asLong() > 0);
    }

    @Test
    void aSuperResolutionStageIsBenchmarkedWithItsConditionImage() throws Exception {
        Path yaml = dir.resolve("stage.yaml");
        Files.writeString(yaml, """
                name: stage
                resolution: 16
                model: { preset: custom, block_out_channels: [8, 16], layers_per_block: 1, attention_levels: [false, false], norm_groups: 4,
                         super_resolution: { from: 8, augmentation_max: 100 } }
                diffusion: { prediction_type: epsilon }
                training: { batch_size: 2 }
                sampling: { base: iclevr32, augmentation: 50 }
                """);
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            exit = Main.run("bench", "--config", yaml.toString(), "--iters", "1", "--warmup", "0");
        } finally {
            System.setOut(old);
        }
        assertEquals(ExitCodes.OK, exit, out.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8).strip();
        JsonNode r = new ObjectMapper().readTree(text.substring(text.lastIndexOf('\n') + 1));
        assertTrue(r.get("sampling_evaluations_per_second").asDouble() > 0, text);
        assertTrue(r.get("train_images_per_second").asDouble() > 0, text);
    }

    @Test
    void badInputIsRefusedByName() throws Exception {
        Path yaml = tinyCustom();
        Cli unknownKey = Cli.run("bench", "--config", yaml.toString(), "--set", "model.norm_grops=4");
        assertEquals(ExitCodes.BAD_INPUT, unknownKey.exit());
        assertTrue(unknownKey.err().contains("norm_grops"), unknownKey.err());
        Cli setWithArch = Cli.run("bench", "--arch", "tiny32", "--set", "training.lr=0.1");
        assertEquals(ExitCodes.BAD_INPUT, setWithArch.exit());
        assertTrue(setWithArch.err().contains("--set applies to --config"), setWithArch.err());
        Cli custom = Cli.run("bench", "--arch", "custom");
        assertEquals(ExitCodes.BAD_INPUT, custom.exit());
        assertTrue(custom.err().contains("--config"), custom.err());
        Cli both = Cli.run("bench", "--arch", "tiny32", "--config", yaml.toString());
        assertEquals(ExitCodes.BAD_INPUT, both.exit());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        Cli missing = Cli.run("bench", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(ExitCodes.BAD_INPUT, missing.exit());
        assertTrue(missing.err().contains("nope.yaml"), missing.err());
    }
}
