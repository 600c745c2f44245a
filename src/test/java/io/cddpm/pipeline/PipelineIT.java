package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Camel routes end to end on tiny data: a two-trial sweep in which one trial cannot run (it asks
 * for a GPU this machine lacks) is marked failed with its error, and the other still produces every
 * artifact: checkpoints, samples for both test files, grids, progressive image, loss plot, report.
 */
class PipelineIT {
    @Test
    void aFailingTrialDoesNotStopTheSweep(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("sweep.yaml");
        Files.writeString(yaml, """
                name: pipeline-it
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 48, seed: 0 }, test_files: [test, new_test] }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: 2, batch_size: 16, checkpoint_every: 1, evaluate_every: 1 }
                sampling: { sampler: ddim, steps: 10, guidance: 2.0 }
                sweep:
                  training.device: [gpu, cpu]
                """.formatted(dir.resolve("runs")));
        ExperimentConfig config = ConfigLoader.load(yaml);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<TrialRun> runs = new PipelineRunner(new PrintStream(console, true)).run(config);
        assertEquals(2, runs.size());
        assertEquals(TrialRun.Status.FAILED, runs.get(0).status(), console.toString());
        assertTrue(runs.get(0).error().contains("GPU"), runs.get(0).error());
        TrialRun ok = runs.get(1);
        assertEquals(TrialRun.Status.SUCCEEDED, ok.status(), console.toString());
        assertEquals(2, ok.checkpoints().size());
        Path run = ok.runDir();
        for (String file : List.of("config.yaml", "history.json", "checkpoints/epoch-0002.ckpt", "samples/test/images.npz",
                "samples/new_test/031.png", "grid_test.png", "grid_new_test.png", "progressive.png", "loss.png", "report.html")) {
            assertTrue(Files.isRegularFile(run.resolve(file)), "missing " + file + "\n" + console);
        }
        assertTrue(console.toString().contains("trial 2 of 2"), console.toString());
    }
}
