package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 31, item 5: {@code cddpm evaluate --checkpoint} finds the evaluator the checkpoint's run is scored with. */
class EvaluatorWeightsTest {
    @TempDir
    Path dir;

    private ExperimentConfig config(String outputDir, String evaluator) {
        return ConfigLoader.fromYaml("name: quick\noutput_dir: " + outputDir + "\nevaluation: {evaluator: " + evaluator + "}\n", "q.yaml");
    }

    private static Path touch(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "weights");
    }

    @Test
    void theTrainedEvaluatorIsFoundUnderTheConfigsOutputDir() throws IOException {
        ExperimentConfig c = config(dir.resolve("runs").toString(), "train");
        Path checkpoint = dir.resolve("elsewhere/epoch-0003.ckpt");
        assertEquals(Optional.empty(), EvaluatorWeights.ofCheckpoint(checkpoint, c), "not trained yet");
        Path trained = touch(EvaluatorWeights.trainedPath(c));
        assertEquals(dir.resolve("runs/evaluators"), trained.getParent());
        assertEquals(Optional.of(trained), EvaluatorWeights.ofCheckpoint(checkpoint, c));
    }

    @Test
    void orUnderTheOutputFolderTheCheckpointIsIn() throws IOException {
        // output_dir is relative to the working directory of the run, not of this command: the checkpoint's folder says where
        ExperimentConfig c = config("runs-of-another-working-directory", "train");
        Path checkpoint = dir.resolve("moved/quick/default/checkpoints/epoch-0003.ckpt");
        assertEquals(Optional.empty(), EvaluatorWeights.ofCheckpoint(checkpoint, c));
        Path trained = touch(dir.resolve("moved/evaluators").resolve(EvaluatorWeights.trainedPath(c).getFileName()));
        assertEquals(Optional.of(trained), EvaluatorWeights.ofCheckpoint(checkpoint, c));
    }

    @Test
    void aConfiguredWeightsFileIsUsedWhenItExists() throws IOException {
        Path weights = dir.resolve("evaluator.pth");
        ExperimentConfig c = config(dir.toString(), weights.toString());
        assertEquals(Optional.empty(), EvaluatorWeights.ofCheckpoint(dir.resolve("a.ckpt"), c));
        touch(weights);
        assertEquals(Optional.of(weights), EvaluatorWeights.ofCheckpoint(dir.resolve("a.ckpt"), c));
    }
}
