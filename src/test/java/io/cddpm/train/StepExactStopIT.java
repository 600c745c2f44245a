package io.cddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.Engines;
import io.cddpm.core.StopRequest;
import io.cddpm.data.IclevrDataset;
import io.cddpm.render.DatasetPreparer;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop request in the middle of an epoch: the trainer finishes the step, writes the step-exact
 * checkpoint and stops; resuming from it ends with the same weights, steps and epoch records as a
 * training that was never stopped, each step trained (and reported) once. Horizontal flips are on, so
 * the resumed half-epoch must mirror the same images as the straight one.
 */
class StepExactStopIT {
    @AfterEach
    void forget() {
        StopRequest.reset();
    }

    @Test
    void aTrainingStoppedMidEpochResumesToTheSameWeights(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("stop.yaml");
        Files.writeString(yaml, """
                name: stop
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 48, seed: 0 } }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: 2, batch_size: 16, checkpoint_every: 1, lr: 0.001, warmup_steps: 2, hflip: true }
                """.formatted(dir.resolve("runs")));
        ExperimentConfig straightConfig = ConfigLoader.load(yaml);
        ExperimentConfig stoppedConfig = ConfigLoader.load(yaml, List.of("name=stopped"));
        IclevrDataset data = DatasetPreparer.load(straightConfig.dataset(), 16, dir.resolve("runs"), straightConfig.training().limitImages());
        RunFolder straight = RunFolder.of(dir.resolve("runs/stop/default"));
        RunFolder stopped = RunFolder.of(dir.resolve("runs/stopped/default"));

        Trainer.Result reference = new Trainer(straightConfig, straight, data, null, Trainer.Progress.QUIET).train(null);
        assertEquals(6, reference.steps(), "3 steps per epoch");

        List<Long> reported = new ArrayList<>();
        TrainingListener stopAfterStep4 = new TrainingListener() {
            @Override
            public void onStep(long step, double loss, double lr) {
                reported.add(step);
                if (step == 4) {
                    StopRequest.request("test");
                }
            }
        };
        assertThrows(StopRequest.Stopped.class, () -> new Trainer(stoppedConfig, stopped, data, stopAfterStep4, Trainer.Progress.QUIET).train(null));
        assertEquals(List.of(1L, 2L, 3L, 4L), reported, "the step in progress is finished, no further one started");
        assertTrue(Files.isRegularFile(stopped.interruptedCheckpoint()));
        assertEquals(stopped.interruptedCheckpoint(), stopped.resumeCheckpoint().orElseThrow());
        Checkpoint.Info info = Checkpoint.readInfo(stopped.interruptedCheckpoint());
        assertEquals(1, info.epoch(), "one whole epoch");
        assertEquals(4, info.step());

        StopRequest.reset();
        TrainingListener record = new TrainingListener() {
            @Override
            public void onStep(long step, double loss, double lr) {
                reported.add(step);
            }
        };
        Trainer.Result resumed = new Trainer(stoppedConfig, stopped, data, record, Trainer.Progress.QUIET)
                .train(stopped.resumeCheckpoint().orElseThrow());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), reported, "each step once");
        assertEquals(reference.steps(), resumed.steps());
        assertFalse(Files.exists(stopped.interruptedCheckpoint()), "superseded by the epoch-2 checkpoint");
        assertEquals(2, resumed.history().size());
        assertEquals(reference.history().get(1).loss(), resumed.history().get(1).loss(), 1e-5, "the interrupted epoch's loss is whole");

        Engines.pytorch();
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoint a = Checkpoint.read(straight.checkpoint(2), manager);
            Checkpoint b = Checkpoint.read(stopped.checkpoint(2), manager);
            float worst = 0;
            for (String name : a.model().keySet()) {
                NDArray x = a.model().get(name);
                NDArray y = b.model().get(name);
                worst = Math.max(worst, x.sub(y).abs().max().getFloat());
            }
            System.out.println("largest weight difference, stopped+resumed vs straight: " + worst);
            assertTrue(worst < 1e-5, "resumed weights differ by " + worst);
        }
    }
}
