package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.HostileFiles.Entry;
import io.cddpm.core.HostileFiles;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Issue 12, points 10(a) and 11: sampling options go through the config's checks, and outputs are
 * checked before any work; both exit 2 naming the option, value or path.
 */
class SamplingAndOutputTest {
    @TempDir
    Path dir;

    /** A checkpoint holding only its config: enough for everything checked before the weights are read. */
    private Path configOnlyCheckpoint() throws IOException {
        String yaml = ConfigLoader.toYaml(ConfigLoader.fromYaml("name: t\n", "t.yaml"));
        return HostileFiles.zip(dir.resolve("c.ckpt"), "config.yaml", Entry.of(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--guidance|NaN|--guidance NaN: must be >= 0",
        "--guidance|Infinity|--guidance Infinity: must be >= 0",
        "--guidance|-1e30|--guidance -1.0E30: must be >= 0",
        "--eta|NaN|--eta NaN: must be in [0, 1]",
        "--eta|2|--eta 2.0: must be in [0, 1]",
        "--steps|5000|--steps 5000: DDIM steps (5000) cannot exceed diffusion.train_timesteps (1000)",
        "--steps|0|--steps 0: must be > 0"})
    void badSamplingNumbersAreRefusedBeforeSampling(String option, String value, String expected) throws IOException {
        Path ckpt = configOnlyCheckpoint();
        Cli r = Cli.run("sample", "--checkpoint", ckpt.toString(), "--conditions", "test", "--out", dir.resolve("o").toString(), option, value);
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        r = Cli.run("evaluate", "--checkpoint", ckpt.toString(), "--conditions", "test", "--evaluator", "none.pth", option, value);
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void samplingOptionsUseTheConfigValidator() {
        ExperimentConfig base = ConfigLoader.fromYaml("name: t\n", "t.yaml");
        SamplingOptions o = new SamplingOptions();
        new CommandLine(o).parseArgs("--guidance", "3", "--eta", "0.5", "--seed", "-7");
        assertEquals(3.0, o.over(base).guidance());
        assertEquals(-7, o.over(base).seed());
        new CommandLine(o).parseArgs("--guidance", "NaN");
        String m = assertThrows(InvalidInputException.class, () -> o.over(base)).getMessage();
        assertTrue(m.startsWith("--guidance NaN: must be >= 0 (got NaN)"), m);
    }

    @Test
    void sampleChecksItsOutputFolderFirst() throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "a file");
        // the checkpoint does not even exist: the output is what is wrong first
        Cli r = Cli.run("sample", "--checkpoint", dir.resolve("missing.ckpt").toString(), "--conditions", "test", "--out", file.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--out " + file + ": exists and is not a folder"), r.err());
        r = Cli.run("sample", "--checkpoint", dir.resolve("missing.ckpt").toString(), "--conditions", "test",
                "--out", file.resolve("sub").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--out " + file.resolve("sub")), r.err());
        r = Cli.run("sample", "--checkpoint", dir.resolve("missing.ckpt").toString(), "--conditions", "test",
                "--out", dir.resolve("ok").toString(), "--progressive", dir.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--progressive " + dir + ": is a folder"), r.err());
    }

    @Test
    void evaluatorTrainChecksItsOutputBeforeTraining() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("weights.safetensors"));
        Cli r = Cli.run("evaluator", "train", "--data", dir.resolve("no-such-root").toString(), "--out", folder.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--out " + folder + ": is a folder"), r.err());
        Path file = Files.writeString(dir.resolve("plain"), "x");
        Path under = file.resolve("w.safetensors");
        r = Cli.run("evaluator", "train", "--data", dir.resolve("no-such-root").toString(), "--out", under.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--out " + under) && r.err().contains("exists and is not a folder"), r.err());
        r = Cli.run("evaluator", "train", "--data", dir.resolve("no-such-root").toString(), "--out", dir.resolve("w.safetensors").toString(),
                "--lr", "NaN");
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--lr NaN"), r.err());
    }
}
