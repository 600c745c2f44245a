package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.Provenance;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cddpm inspect} tells what produced a checkpoint and the weights exported from it. */
class InspectCommandTest {
    @TempDir
    Path dir;

    private static final Provenance PROVENANCE = new Provenance("0.3.0", "0123abcd", "0.33.0", "2.5.1", "cddpm-native", "bf16", "cpu()",
            "render of the built-in train.json (seed 0), 240 images at 32px, sha256:feedbeef", "host-a", "2026-12-02T10:00:00Z", 123.4);

    private static String stdout(Runnable r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(out, true));
            r.run();
        } finally {
            System.setOut(old);
        }
        return out.toString();
    }

    @Test
    void aCheckpointAndItsExportedWeightsNameWhatProducedThem() {
        ExperimentConfig config = ConfigLoader.fromYaml("name: inspected\nresolution: 32\n", "t.yaml");
        Checkpoint c = new Checkpoint(config, 3, 30, Map.of(), Map.of(), Map.of(), List.of(), PROVENANCE);
        Path ckpt = dir.resolve("epoch-0003.ckpt");
        c.write(ckpt);
        String out = stdout(() -> assertEquals(0, Main.run("inspect", ckpt.toString())));
        for (String s : List.of("epoch 3 of 120, step 30", "experiment inspected", "precision        bf16", "git_commit       0123abcd",
                "sha256:feedbeef", "train_seconds    123.4", "libtorch_version 2.5.1")) {
            assertTrue(out.contains(s), "missing '" + s + "' in\n" + out);
        }
        Path weights = dir.resolve("ema.safetensors");
        c.exportEma(weights);
        String w = stdout(() -> assertEquals(0, Main.run("inspect", weights.toString())));
        assertTrue(w.contains("0 tensors") && w.contains("kernels          cddpm-native") && w.contains("epoch = 3"), w);
    }

    @Test
    void anythingElseIsRefusedByName() throws Exception {
        Path txt = Files.writeString(dir.resolve("notes.txt"), "hello");
        assertEquals(ExitCodes.BAD_INPUT, Main.run("inspect", txt.toString()));
        assertEquals(ExitCodes.BAD_INPUT, Main.run("inspect", dir.resolve("missing.ckpt").toString()));
        Path bad = Files.writeString(dir.resolve("bad.ckpt"), "not a zip");
        assertEquals(ExitCodes.BAD_INPUT, Main.run("inspect", bad.toString()));
    }
}
