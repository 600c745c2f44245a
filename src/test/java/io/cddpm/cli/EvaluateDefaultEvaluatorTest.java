package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigLoader;
import io.cddpm.model.Safetensors;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.Provenance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 31, item 5: {@code evaluate} without {@code --evaluator} uses the checkpoint's own evaluator and says
 * which, or says what to pass, instead of dumping the usage.
 */
class EvaluateDefaultEvaluatorTest {
    @TempDir
    Path dir;

    private Path checkpoint(String evaluation) {
        Checkpoint c = new Checkpoint(ConfigLoader.fromYaml("name: quick\nresolution: 16\noutput_dir: " + dir.resolve("runs")
                + "\nevaluation: " + evaluation + "\n", "q.yaml"), 3, 30, Map.of(), Map.of(), Map.of(), List.of(),
                new Provenance("0.1.0", null, "0.33.0", "2.5.1", "djl", "fp32", "cpu()", "test", "host", "2026-12-07T00:00:00Z", 1.0));
        Path file = dir.resolve("runs/quick/default/checkpoints/epoch-0003.ckpt");
        c.write(file);
        return file;
    }

    @Test
    void imagesWithoutAnEvaluatorSayWhatToPass() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("samples"));
        Cli r = Cli.run("evaluate", "--images", folder.toString(), "--conditions", "test");
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--evaluator is required with --images and --data"), r.err());
        assertTrue(!r.err().contains("Usage:"), "no usage dump: " + r.err());
    }

    @Test
    void aCheckpointWhoseEvaluatorIsNotTrainedYetSaysWhereItWouldBe() {
        Path ckpt = checkpoint("{evaluator: train}");
        Cli r = Cli.run("evaluate", "--checkpoint", ckpt.toString(), "--conditions", "test");
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("its run trains one (evaluation.evaluator: train)") && r.err().contains(dir.resolve("runs/evaluators").toString())
                && r.err().contains("pass --evaluator"), r.err());
    }

    @Test
    void aCheckpointUsesItsOwnEvaluatorAndSaysWhichWithItsCeiling() throws IOException {
        Path weights = dir.resolve("evaluator.safetensors");
        Files.write(weights, Safetensors.toBytes(Map.of(), Map.of("heldout_accuracy", "0.991000")));
        Path ckpt = checkpoint("{evaluator: " + weights + "}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        Cli r;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            r = Cli.run("evaluate", "--checkpoint", ckpt.toString(), "--conditions", "test");
        } finally {
            System.setOut(old);
        }
        String said = out.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("evaluator: " + weights + " (the checkpoint's own; held-out accuracy 0.9910"), said + r.err());
        assertNotEquals(ExitCodes.OK, r.exit(), "these weights are only a header: " + r.err());
    }
}
