package io.cddpm.cli;

import io.cddpm.pipeline.ModelCheckpoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.config.ConfigLoader;
import io.cddpm.core.Engines;
import io.cddpm.model.Safetensors;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.ModelPackage;
import io.cddpm.runs.Provenance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cddpm model export / list}, and a shipped model's short name wherever a checkpoint is taken. */
class ModelCommandTest {
    @TempDir
    Path dir;
    private String home;

    @BeforeEach
    void home() {
        home = System.getProperty("cddpm.home");
        System.setProperty("cddpm.home", dir.toString());
    }

    @AfterEach
    void restore() {
        if (home == null) {
            System.clearProperty("cddpm.home");
        } else {
            System.setProperty("cddpm.home", home);
        }
    }

    private Path checkpoint() throws IOException {
        Engines.pytorch();
        Path file = dir.resolve("runs/tiny/default/checkpoints/epoch-0002.ckpt");
        try (NDManager m = NDManager.newBaseManager()) {
            new Checkpoint(ConfigLoader.fromYaml("name: tiny\nresolution: 16\n", "t.yaml"), 2, 20,
                    Map.of("w", m.ones(new Shape(3))), Map.of("w", m.ones(new Shape(3))), Map.of("w.m", m.zeros(new Shape(3))), List.of(),
                    new Provenance("0.1.0", null, "0.33.0", "2.5.1", "djl", "fp32", "cpu()", "test", "host", "2026-12-07T00:00:00Z", 1.0))
                    .write(file);
            Path evaluator = dir.resolve("ev.safetensors");
            Files.write(evaluator, Safetensors.toBytes(Map.of("fc.weight", m.ones(new Shape(2))), Map.of("heldout_accuracy", "0.95")));
        }
        return file;
    }

    private static String stdout(Runnable r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            r.run();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void exportMakesAShippedModelThatListShowsAndTheShortNameFinds() throws IOException {
        Path ckpt = checkpoint();
        Path pkg = dir.resolve("models/tiny16");
        String said = stdout(() -> assertEquals(ExitCodes.OK, Cli.run("model", "export", "--checkpoint", ckpt.toString(), "--out", pkg.toString(),
                "--evaluator", dir.resolve("ev.safetensors").toString(), "--description", "a test").exit()));
        assertTrue(said.contains("wrote model package 'tiny16'") && said.contains(ModelPackage.WEIGHTS), said);
        assertTrue(ModelPackage.isPackage(pkg));
        String listed = stdout(() -> assertEquals(ExitCodes.OK, Cli.run("model", "list").exit()));
        assertTrue(listed.contains("tiny16") && listed.contains("16x16") && listed.contains("a test"), listed);
        assertEquals(pkg, ModelCheckpoints.local("tiny16", Map.of()));

        Cli again = Cli.run("model", "export", "--checkpoint", ckpt.toString(), "--out", pkg.toString(), "--no-evaluator");
        assertEquals(ExitCodes.BAD_INPUT, again.exit());
        assertTrue(again.err().contains("never written over"), again.err());
    }

    @Test
    void anUnknownShortNameListsTheShippedModels() throws IOException {
        Path ckpt = checkpoint();
        assertEquals(ExitCodes.OK, Cli.run("model", "export", "--checkpoint", ckpt.toString(), "--out", dir.resolve("models/tiny16").toString(),
                "--no-evaluator").exit());
        Cli r = Cli.run("sample", "--checkpoint", "tiny61", "--conditions", "test", "--out", dir.resolve("s").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("--checkpoint tiny61: no such checkpoint file, and no shipped model of that name (shipped: tiny16)"), r.err());
    }

    @Test
    void aPackageIsNotResumed() throws IOException {
        Path ckpt = checkpoint();
        Path pkg = dir.resolve("models/tiny16");
        assertEquals(ExitCodes.OK, Cli.run("model", "export", "--checkpoint", ckpt.toString(), "--out", pkg.toString(), "--no-evaluator").exit());
        Cli r = Cli.run("resume", "--checkpoint", pkg.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("is a model package") && r.err().contains("not resumed"), r.err());
    }
}
