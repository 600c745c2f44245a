package io.cddpm.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.cddpm.config.ConfigLoader;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.model.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model package: written from a checkpoint, read back as weights only, and refused when damaged or hostile. */
class ModelPackageTest {
    @TempDir
    Path dir;

    private static final Provenance PROVENANCE = new Provenance("0.1.0", "abc", "0.33.0", "2.5.1", "native", "bf16", "cpu()", "test data",
            "host", "2026-12-07T00:00:00Z", 12.5);

    @BeforeAll
    static void engine() {
        Engines.pytorch();
    }

    private Path written(NDManager m) throws IOException {
        Map<String, NDArray> ema = new LinkedHashMap<>();
        ema.put("conv_in.weight", m.create(new float[] {0.5f, -0.25f, 0.125f, 3f}, new Shape(2, 2)));
        Map<String, NDArray> model = Map.of("conv_in.weight", m.zeros(new Shape(2, 2)));
        Checkpoint c = new Checkpoint(ConfigLoader.fromYaml("name: tiny\nresolution: 16\n", "t.yaml"), 4, 40, model, ema,
                Map.of("conv_in.weight.m", m.zeros(new Shape(2, 2))), List.of(), PROVENANCE);
        Path ckpt = dir.resolve("epoch-0004.ckpt");
        c.write(ckpt);
        Path evaluator = dir.resolve("evaluator.safetensors");
        Files.write(evaluator, Safetensors.toBytes(Map.of("fc.weight", m.create(new float[] {1f, 2f})), Map.of("heldout_accuracy", "0.991000")));
        ModelPackage.write(c, ckpt, evaluator, dir.resolve("pkg"), "tiny", "a test model", DataType.BFLOAT16, true, m);
        return dir.resolve("pkg");
    }

    @Test
    void readsBackAsWeightsOnlyWithItsConfigProvenanceAndEvaluator() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path pkg = written(m);
            assertTrue(ModelPackage.isPackage(pkg));
            ModelPackage p = ModelPackage.open(pkg);
            assertEquals("tiny", p.name());
            assertEquals(0.991, p.manifest().evaluatorHeldoutAccuracy(), 1e-9);
            assertEquals(4, p.manifest().source().epoch());
            assertEquals(PROVENANCE, p.manifest().provenance());
            Checkpoint c = Checkpoint.read(pkg, m);
            assertEquals(16, c.config().resolution());
            assertEquals(4, c.epoch());
            assertTrue(c.optimizer().isEmpty(), "no optimizer state");
            assertEquals(List.of(0.5f, -0.25f, 0.125f, 3f), boxed(c.ema().get("conv_in.weight").toFloatArray()), "exact in bf16");
            assertEquals(c.ema(), c.model(), "the EMA weights stand for the model");
            assertEquals("tiny", Checkpoint.readConfig(pkg).experimentName());
            assertTrue(p.evaluator().orElseThrow().getFileName().toString().equals(ModelPackage.EVALUATOR));
            assertTrue(Checkpoint.readInfo(pkg).entries().containsKey(ModelPackage.MANIFEST));
        }
    }

    @Test
    void neverWritesOverAnExistingFolder() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path pkg = written(m);
            byte[] before = Files.readAllBytes(pkg.resolve(ModelPackage.MANIFEST));
            Checkpoint c = Checkpoint.read(pkg, m);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelPackage.write(c, dir.resolve("epoch-0004.ckpt"), null,
                    pkg, "tiny", null, DataType.FLOAT32, false, m));
            assertTrue(e.getMessage().contains("never written over"), e.getMessage());
            assertEquals(new String(before), Files.readString(pkg.resolve(ModelPackage.MANIFEST)));
        }
    }

    @Test
    void aChangedWeightsFileIsRefusedNamingTheFileAndTheManifest() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path pkg = written(m);
            byte[] w = Files.readAllBytes(pkg.resolve(ModelPackage.WEIGHTS));
            w[w.length - 1] ^= 1;
            Files.write(pkg.resolve(ModelPackage.WEIGHTS), w);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Checkpoint.read(pkg, m));
            assertTrue(e.getMessage().contains(ModelPackage.WEIGHTS) && e.getMessage().contains("SHA-256")
                    && e.getMessage().contains("damaged or replaced"), e.getMessage());
        }
    }

    @Test
    void aManifestNamingAFileOutsideThePackageIsRefused() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path pkg = written(m);
            Files.writeString(dir.resolve("secret.yaml"), "name: x\n");
            Path manifest = pkg.resolve(ModelPackage.MANIFEST);
            Files.writeString(manifest, Files.readString(manifest).replace("\"file\" : \"config.yaml\"", "\"file\" : \"../secret.yaml\""));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelPackage.open(pkg));
            assertTrue(e.getMessage().contains("../secret.yaml") && e.getMessage().contains(manifest.toString()), e.getMessage());
        }
    }

    @Test
    void aFolderWithoutAManifestIsNotAPackage() throws IOException {
        Files.createDirectories(dir.resolve("empty"));
        assertFalse(ModelPackage.isPackage(dir.resolve("empty")));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Checkpoint.readConfig(dir.resolve("empty")));
        assertTrue(e.getMessage().contains("checkpoint not found"), e.getMessage());
    }

    @Test
    void anOversizedOrForeignManifestIsRefused() throws IOException {
        Path pkg = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(pkg.resolve(ModelPackage.MANIFEST), "{\"format\": 7}");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelPackage.open(pkg));
        assertTrue(e.getMessage().contains("format 7"), e.getMessage());
        Files.write(pkg.resolve(ModelPackage.MANIFEST), new byte[(1 << 20) + 1]);
        e = assertThrows(InvalidInputException.class, () -> ModelPackage.open(pkg));
        assertTrue(e.getMessage().contains("a model manifest is a few kilobytes"), e.getMessage());
    }

    private static List<Float> boxed(float[] a) {
        List<Float> l = new java.util.ArrayList<>();
        for (float f : a) {
            l.add(f);
        }
        return l;
    }
}
