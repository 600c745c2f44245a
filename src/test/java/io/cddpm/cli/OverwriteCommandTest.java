package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.state.StateDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cddpm train} and {@code cddpm run} refuse a trial folder that already holds results they do not
 * own (exit 2, naming the folder and --overwrite), before any training, tracking server or file change.
 */
class OverwriteCommandTest {
    @TempDir
    Path dir;
    private Path yaml;
    private Path checkpoint;

    @BeforeEach
    void earlierResults() throws Exception {
        System.setProperty(StateDatabase.PROPERTY, dir.resolve("state").toString());
        yaml = dir.resolve("ow.yaml");
        Files.writeString(yaml, """
                name: ow
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 16, seed: 0 } }
                training: { epochs: 1, batch_size: 16 }
                tracking: { uri: "http://127.0.0.1:9" }
                """.formatted(dir.resolve("runs")));
        checkpoint = dir.resolve("runs/ow/default/checkpoints/epoch-0001.ckpt");
        Files.createDirectories(checkpoint.getParent());
        Files.writeString(checkpoint, "earlier weights");
    }

    @AfterEach
    void clear() {
        System.clearProperty(StateDatabase.PROPERTY);
    }

    @Test
    void trainRefusesAFolderWithAnEarlierTraining() throws Exception {
        OutboxCommandTest.Out out = OutboxCommandTest.cddpm("train", "--config", yaml.toString(), "--set", "training.lr=0.0005");
        assertEquals(2, out.exit(), out.out());
        assertTrue(out.out().contains(dir.resolve("runs/ow/default").toString()) && out.out().contains("--overwrite")
                && out.out().contains("cddpm resume --checkpoint " + checkpoint), out.out());
        assertEquals("earlier weights", Files.readString(checkpoint));
    }

    @Test
    void runRefusesAFolderItHasNoRecordOf() throws Exception {
        OutboxCommandTest.Out out = OutboxCommandTest.cddpm("run", yaml.toString());
        assertEquals(2, out.exit(), out.out());
        assertTrue(out.out().contains(dir.resolve("runs/ow/default").toString()) && out.out().contains("--overwrite"), out.out());
        assertTrue(!out.out().contains("tracking to MLflow"), "refused before tracking starts: " + out.out());
        assertEquals("earlier weights", Files.readString(checkpoint));
    }

    /** --overwrite takes the trial's lock first: a training in progress is refused (exit 2, naming its process), never deleted. */
    @Test
    void overwriteNeverDeletesATrainingInProgress() throws Exception {
        io.cddpm.runs.RunFolder folder = io.cddpm.runs.RunFolder.of(dir.resolve("runs/ow/default"));
        try (io.cddpm.runs.RunFolder.Lock held = folder.tryLock().orElseThrow()) {
            for (String[] args : new String[][] {{"train", "--config", yaml.toString(), "--overwrite"}, {"train", "--config", yaml.toString()}}) {
                OutboxCommandTest.Out out = OutboxCommandTest.cddpm(args);
                assertEquals(2, out.exit(), out.out());
                assertTrue(out.out().contains("is being trained by another cddpm process (pid " + ProcessHandle.current().pid() + " on "),
                        out.out());
                assertEquals("earlier weights", Files.readString(checkpoint), "untouched");
            }
        }
    }
}
