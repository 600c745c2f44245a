package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.HostileFiles.Entry;
import io.cddpm.core.HostileFiles;
import io.cddpm.core.InvalidInputException;
import io.cddpm.diffusion.DpmSolverMultistepScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--sampler euler --steps 10|Invalid value for option '--sampler': unknown sampler 'euler' (valid: ddpm, ddim, dpmpp_2m)",
        "--sampler dpmpp_2m --steps 1000|--steps 1000: DPM-Solver++(2M) steps (1000) cannot exceed 999 with diffusion.train_timesteps 1000"})
    void badSamplersAreRefusedBeforeSampling(String options, String expected) throws IOException {
        Path ckpt = configOnlyCheckpoint();
        Cli r = Cli.run(concat(new String[] {"sample", "--checkpoint", ckpt.toString(), "--conditions", "test", "--out", dir.resolve("o").toString()},
                options.split(" ")));
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void samplingOptionsChooseAnyRegisteredSampler() {
        ExperimentConfig base = ConfigLoader.fromYaml("name: t\n", "t.yaml");
        SamplingOptions o = new SamplingOptions();
        ExitCodes.commandLine(o).parseArgs("--sampler", "dpmpp_2m", "--steps", "15");
        assertEquals(DpmSolverMultistepScheduler.KIND, o.over(base).sampler());
        assertEquals(15, o.over(base).steps());
    }

    /** sampling-table's --samplers: ID:STEPS or ID, for every registered sampler; errors name the setting and the valid ids. */
    @Test
    void samplingTableParsesEverySampler() {
        ExperimentConfig base = ConfigLoader.fromYaml("name: t\nsampling: {steps: 25}\n", "t.yaml");
        SamplingTableCommand table = new SamplingTableCommand();
        new CommandLine(table).parseArgs("--checkpoint", "c.ckpt", "--evaluator", "e.pth", "--samplers", "ddim:50,dpmpp_2m:10,dpmpp_2m,ddpm");
        assertEquals(List.of("ddim, 50 steps, eta 0.00", "dpmpp_2m, 10 steps", "dpmpp_2m, 25 steps", "ddpm, 1000 steps"), table.settings(base)
                .stream().map(s -> s.describe(s.denoisingSteps(1000)).replaceAll(", guidance.*", "")).toList());
        for (String[] bad : new String[][] {
            {"euler:5", "--samplers 'euler:5': unknown sampler 'euler' (valid: ddpm, ddim, dpmpp_2m)"},
            {"ddpm:500", "--samplers 'ddpm:500': ddpm takes no step count (it runs every train timestep)"},
            {"dpmpp_2m:x", "--samplers 'dpmpp_2m:x': steps must be an integer (e.g. dpmpp_2m:50)"},
            {"dpmpp_2m:5:5", "--samplers 'dpmpp_2m:5:5': expected ID or ID:STEPS (e.g. dpmpp_2m:50)"},
            {"dpmpp_2m:1000", "DPM-Solver++(2M) steps (1000) cannot exceed 999 with diffusion.train_timesteps 1000"}}) {
            new CommandLine(table).parseArgs("--checkpoint", "c.ckpt", "--evaluator", "e.pth", "--samplers", bad[0]);
            String m = assertThrows(InvalidInputException.class, () -> table.settings(base)).getMessage();
            assertTrue(m.contains(bad[1]), m);
        }
    }

    /** sampling-table's --augmentation and --base: a stage's levels swept without retraining; a plain model refuses them by key. */
    @Test
    void samplingTableSweepsAStagesAugmentationLevels() {
        ExperimentConfig stage = ConfigLoader.fromYaml("name: t\nresolution: 64\nmodel: {super_resolution: {from: 32}}\n"
                + "sampling: {steps: 25, base: iclevr32, augmentation: 50}\n", "t.yaml");
        SamplingTableCommand table = new SamplingTableCommand();
        new CommandLine(table).parseArgs("--checkpoint", "c.ckpt", "--evaluator", "e.pth", "--samplers", "ddim", "--augmentation", "0,20,50",
                "--seeds", "0,1");
        assertEquals(List.of("0/0", "0/1", "20/0", "20/1", "50/0", "50/1"),
                table.settings(stage).stream().map(s -> s.augmentation() + "/" + s.seed()).toList());
        assertTrue(table.settings(stage).stream().allMatch(s -> s.base().equals("iclevr32")));
        table = new SamplingTableCommand();
        new CommandLine(table).parseArgs("--checkpoint", "c.ckpt", "--evaluator", "e.pth", "--samplers", "ddim", "--base", "other.ckpt");
        assertEquals(List.of("other.ckpt/50"), table.settings(stage).stream().map(s -> s.base() + "/" + s.augmentation()).toList());
        SamplingTableCommand tooNoisy = new SamplingTableCommand();
        new CommandLine(tooNoisy).parseArgs("--checkpoint", "c.ckpt", "--evaluator", "e.pth", "--samplers", "ddim", "--augmentation", "1000");
        String m = assertThrows(InvalidInputException.class, () -> tooNoisy.settings(stage)).getMessage();
        assertTrue(m.contains("--augmentation 1000") && m.contains("sampling.augmentation"), m);
        ExperimentConfig plain = ConfigLoader.fromYaml("name: t\n", "t.yaml");
        SamplingTableCommand plainTable = new SamplingTableCommand();
        new CommandLine(plainTable).parseArgs("--checkpoint", "c.ckpt", "--evaluator", "e.pth", "--samplers", "ddim", "--augmentation", "20");
        m = assertThrows(InvalidInputException.class, () -> plainTable.settings(plain)).getMessage();
        assertTrue(m.contains("sampling.augmentation"), m);
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
