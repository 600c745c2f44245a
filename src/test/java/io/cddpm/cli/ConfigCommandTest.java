package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {
    @TempDir
    Path dir;

    @Test
    void validFileIsOkAndBadFileIsExitTwo() throws IOException {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "name: g\nsweep:\n  training.lr: [0.001, 0.0001]\n");
        assertEquals(ExitCodes.OK, Main.run("config", good.toString()));
        assertEquals(ExitCodes.OK, Main.run("config", good.toString(), "--set", "training.epochs=2", "--print"));
        assertEquals(ExitCodes.BAD_INPUT, Main.run("config", good.toString(), "--set", "training.epochs=0"));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: g\ntraining:\n  epoch: 3\n");
        assertEquals(ExitCodes.BAD_INPUT, Main.run("config", bad.toString()));
        assertEquals(ExitCodes.BAD_INPUT, Main.run("config", dir.resolve("missing.yaml").toString()));
    }
}
