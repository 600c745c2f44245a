package io.cddpm.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.cddpm.config.Precision;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.StopRequest;
import io.cddpm.data.DatasetCache;
import io.cddpm.data.DatasetRoot;
import io.cddpm.data.IclevrDataset;
import io.cddpm.data.Labels;
import io.cddpm.data.TrainSpec;
import io.cddpm.model.Safetensors;
import io.cddpm.render.DatasetRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluator's training pieces: augmentation, per-label figures, and a tiny real training run. */
class EvaluatorTrainingTest {
    @Test
    void augmentationOnlyMirrorsAndShifts() {
        int size = 8;
        float[] in = new float[3 * size * size];
        for (int i = 0; i < in.length; i++) {
            in[i] = i;
        }
        float[] out = new float[in.length];
        Augmentation none = new Augmentation(size, 0);
        boolean sawMirror = false;
        boolean sawIdentity = false;
        SplittableRandom random = new SplittableRandom(1);
        for (int k = 0; k < 20; k++) {
            none.apply(in, 0, out, 0, random);
            if (Arrays.equals(in, out)) {
                sawIdentity = true;
            } else {
                sawMirror = true;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            assertEquals(in[c * 64 + y * size + (size - 1 - x)], out[c * 64 + y * size + x]);
                        }
                    }
                }
            }
        }
        assertTrue(sawMirror && sawIdentity);
        // with shifts, every output value is an input value of the same channel (no new colors)
        Augmentation shift = new Augmentation(size, 2);
        for (int k = 0; k < 20; k++) {
            shift.apply(in, 0, out, 0, random);
            for (int i = 0; i < out.length; i++) {
                int channel = i / 64;
                assertEquals(channel, (int) out[i] / 64, "value from another channel at " + i);
            }
        }
    }

    @Test
    void perLabelPrecisionAndRecallOfTheTopKPredictions() {
        float[][] out = {
            {0.9f, 0.1f, 0.8f}, // truth {0, 2} -> predicts {0, 2}
            {0.2f, 0.7f, 0.1f}, // truth {2}    -> predicts {1}: FP for 1, FN for 2
        };
        LabelMetrics m = LabelMetrics.of(out, List.of(new int[] {0, 2}, new int[] {2}), List.of("a", "b", "c"));
        List<LabelMetrics.Row> rows = m.rows();
        assertEquals(1.0, rows.get(0).precision());
        assertEquals(1.0, rows.get(0).recall());
        assertEquals(0.0, rows.get(1).precision());
        assertTrue(Double.isNaN(rows.get(1).recall()), "label b never occurs");
        assertEquals(1.0, rows.get(2).precision());
        assertEquals(0.5, rows.get(2).recall());
        assertEquals(2, rows.get(2).support());
        assertTrue(m.table().contains("c"));
    }

    @Test
    void subsetAndLabelIndices() {
        byte[] pixels = new byte[3 * 3 * 1 * 1];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) i;
        }
        byte[] labels = {1, 0, 1, 0, 1, 0, 0, 0, 1};
        IclevrDataset d = new IclevrDataset(1, 3, pixels, labels, List.of("x", "y", "z"));
        IclevrDataset s = d.subset(new int[] {2, 0});
        assertEquals(List.of("z", "x"), List.of(s.name(0), s.name(1)));
        assertArrayEquals(new int[] {2}, s.labelIndices().get(0));
        assertArrayEquals(new int[] {0, 2}, s.labelIndices().get(1));
        assertEquals(6 / 127.5f - 1f, s.image(0)[0], 1e-6);
        IclevrDataset both = IclevrDataset.concat(List.of(s, d));
        assertEquals(5, both.size());
        assertEquals(List.of("z", "x", "x", "y", "z"), IntStream.range(0, 5).mapToObj(both::name).toList());
        assertArrayEquals(new int[] {1}, both.labelIndices().get(3));
        assertThrows(IllegalArgumentException.class, () -> IclevrDataset.concat(List.of(d, new IclevrDataset(2, 3, new byte[12], new byte[3], List.of("w")))));
    }

    @Test
    void aStopRequestStopsTrainingBetweenStepsAndWritesNothing(@TempDir Path dir) throws Exception {
        TrainSpec spec = TrainSpec.builtin().limit(40);
        new DatasetRenderer(16, 0, 2).renderSpec(spec, dir.resolve("ds"), n -> {});
        DatasetRoot root = DatasetRoot.of(dir.resolve("ds"));
        IclevrDataset all = DatasetCache.forRoot(root).load(root, 16, null);
        IclevrDataset train = all.subset(IntStream.range(0, 32).toArray());
        IclevrDataset held = all.subset(IntStream.range(32, 40).toArray());
        Path out = dir.resolve("evaluator.safetensors");
        List<Long> steps = new ArrayList<>();
        try {
            StopRequest.Stopped stopped = assertThrows(StopRequest.Stopped.class, () -> new EvaluatorTrainer(
                    new EvaluatorTrainer.Options(3, 8, 1e-3, 1e-4, 0, 0, Precision.FP32)).train(train, held, Labels.builtin().names(), out,
                            new EvaluatorTrainer.Listener() {
                                @Override
                                public void onStep(long step, int stepsPerEpoch, double loss) {
                                    steps.add(step);
                                    if (step == 2) {
                                        StopRequest.request("SIGTERM");
                                    }
                                }
                            }));
            assertEquals("stopped (SIGTERM)", stopped.getMessage());
        } finally {
            StopRequest.reset();
        }
        assertEquals(List.of(1L, 2L), steps, "the step after the request does not run");
        assertFalse(Files.exists(out), "a stopped evaluator training writes no weights");
    }

    /** 72 scenes of the built-in train.json rendered at 16x16: 56 to train on, 16 held out. */
    private record Split(IclevrDataset train, IclevrDataset held) {}

    private static Split renderSplit(Path dir) throws Exception {
        TrainSpec spec = TrainSpec.builtin().limit(72);
        new DatasetRenderer(16, 0, 2).renderSpec(spec, dir.resolve("ds"), n -> {});
        DatasetRoot root = DatasetRoot.of(dir.resolve("ds"));
        IclevrDataset all = DatasetCache.forRoot(root).load(root, 16, null);
        return new Split(all.subset(IntStream.range(0, 56).toArray()), all.subset(IntStream.range(56, 72).toArray()));
    }

    @Test
    void trainsSavesWithTorchvisionNamesAndLoadsBack(@TempDir Path dir) throws Exception {
        Split data = renderSplit(dir);
        IclevrDataset train = data.train();
        IclevrDataset held = data.held();
        Path out = dir.resolve("evaluator.safetensors");
        EvaluatorTrainer.Result r = new EvaluatorTrainer(new EvaluatorTrainer.Options(3, 8, 1e-3, 1e-4, 5, 0, Precision.FP32))
                .train(train, held, Labels.builtin().names(), out, new EvaluatorTrainer.Listener() {});
        assertEquals(3, r.history().size());
        assertTrue(r.history().get(2).loss() < r.history().get(0).loss(), "loss falls: " + r.history());
        assertTrue(r.history().get(0).loss() < 0.8, "BCE starts near ln 2 and falls fast");
        try (NDManager m = NDManager.newBaseManager()) {
            var tensors = Safetensors.read(Files.readAllBytes(out), m, out.toString()).tensors();
            for (String key : List.of("conv1.weight", "bn1.running_var", "bn1.num_batches_tracked", "layer2.0.downsample.1.weight",
                    "layer4.1.bn2.bias", "fc.0.weight", "fc.0.bias")) {
                assertTrue(tensors.containsKey(key), key + " missing from " + tensors.keySet());
            }
            assertEquals(122, tensors.size(), "torchvision's resnet18 state dict: 102 tensors + 20 num_batches_tracked");
            assertEquals(20, tensors.keySet().stream().filter(k -> k.endsWith("num_batches_tracked")).count());
        }
        // the saved file scores the held-out set exactly as the trainer did
        try (Evaluator e = Evaluator.load(out); NDManager m = NDManager.newBaseManager()) {
            float[] flat = new float[held.size() * held.imageBytes()];
            for (int i = 0; i < held.size(); i++) {
                held.image(i, flat, i * held.imageBytes());
            }
            Accuracy.Result again = e.score(m.create(flat, new Shape(held.size(), 3, 16, 16)), held.labelIndices());
            assertEquals(r.heldOut().accuracy(), again.accuracy(), 1e-12);
        }
    }

    @Test
    void trainsInBf16MixedPrecisionWithFp32Weights(@TempDir Path dir) throws Exception {
        Split data = renderSplit(dir);
        IclevrDataset train = data.train();
        IclevrDataset held = data.held();
        Path out = dir.resolve("evaluator.safetensors");
        EvaluatorTrainer.Result r = new EvaluatorTrainer(new EvaluatorTrainer.Options(3, 8, 1e-3, 1e-4, 5, 0, Precision.BF16))
                .train(train, held, Labels.builtin().names(), out, new EvaluatorTrainer.Listener() {});
        assertTrue(r.history().get(2).loss() < r.history().get(0).loss(), "loss falls in bf16: " + r.history());
        try (NDManager m = NDManager.newBaseManager()) {
            Safetensors.Contents file = Safetensors.read(Files.readAllBytes(out), m, out.toString());
            assertEquals("bf16", file.metadata().get("precision"));
            assertEquals(DataType.FLOAT32, file.tensors().get("conv1.weight").getDataType(), "master weights stay fp32");
        }
    }

    @Test
    void badOptionsAreNamed() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new EvaluatorTrainer.Options(0, 64, 1e-3, 0, 0, 0, Precision.FP32));
        assertTrue(e.getMessage().contains("epochs 0"));
        assertThrows(InvalidInputException.class, () -> new EvaluatorTrainer.Options(1, 1, 1e-3, 0, 0, 0, Precision.FP32));
    }
}
