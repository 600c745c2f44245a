package io.cddpm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ResNet18Test {
    private static JsonNode io() throws Exception {
        return new ObjectMapper().readTree(Path.of(ResNet18Test.class.getResource("/torch/resnet18_random_io.json").toURI()).toFile());
    }

    private static ResNet18 build(NDManager m) {
        ResNet18 net = new ResNet18(24);
        net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        return net;
    }

    @Test
    void parameterNamesAreTorchvisionsStateDictKeys() throws Exception {
        Engines.pytorch();
        TreeSet<String> want = new TreeSet<>();
        io().get("state_dict_keys").forEach(k -> {
            if (!k.asText().endsWith("num_batches_tracked")) {
                want.add(k.asText());
            }
        });
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(want, new TreeSet<>(TorchNames.parameters(build(m)).keySet()));
        }
    }

    @Test
    void wrongShapesAndMissingKeysAreNamed() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet18 net = build(m);
            Map<String, TorchCheckpoint.Tensor> sd = new HashMap<>();
            TorchNames.parameters(net).forEach((k, v) -> sd.put(k, new TorchCheckpoint.Tensor("float32", v.getShape().getShape(), new double[(int) v.size()])));
            sd.put("fc.0.weight", new TorchCheckpoint.Tensor("float32", new long[] {10, 512}, new double[5120]));
            String msg = assertThrows(InvalidInputException.class, () -> TorchNames.load(net, sd, "x.pth")).getMessage();
            assertTrue(msg.contains("fc.0.weight") && msg.contains("[10, 512]") && msg.contains("[24, 512]"), msg);
            sd.remove("layer3.1.bn2.running_var");
            msg = assertThrows(InvalidInputException.class, () -> TorchNames.load(net, sd, "x.pth")).getMessage();
            assertTrue(msg.contains("missing") && msg.contains("layer3.1.bn2.running_var"), msg);
        }
    }

    /** The course evaluator's structure: the random-weight torchvision checkpoint gives PyTorch's outputs. */
    @Test
    void matchesPyTorchOnTheReferenceCheckpoint() throws Exception {
        String shared = System.getenv().getOrDefault("CDDPM_SHARED", "../shared");
        Path pth = Path.of(shared, "reference/torch_checkpoints/resnet18_random_zip.pth");
        if (!Files.isRegularFile(pth)) {
            System.out.println("SKIPPED: ResNet18Test.matchesPyTorchOnTheReferenceCheckpoint: " + pth.toAbsolutePath()
                    + " not present (set CDDPM_SHARED to the folder holding reference/torch_checkpoints)");
            Assumptions.abort("reference checkpoint absent: " + pth);
        }
        Engines.pytorch();
        JsonNode io = io();
        float[] input = new float[io.get("input").size()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) io.get("input").get(i).asDouble();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet18 net = build(m);
            TorchNames.load(net, TorchCheckpoint.stateDict(pth), pth.toString());
            NDArray out = net.forward(new ParameterStore(m, false), new NDList(m.create(input, new Shape(4, 3, 64, 64))), false)
                    .singletonOrThrow();
            float[] got = out.toFloatArray();
            double worst = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - io.get("output").get(i).asDouble()));
            }
            System.out.printf("ResNet18 vs PyTorch on resnet18_random_zip.pth: max abs error %.2e%n", worst);
            assertTrue(worst <= 1e-4, "max abs error " + worst);
            assertTrue(out.max().getFloat() - out.min().getFloat() > 0.05f, "outputs should differ across images and labels");
        }
    }
}
