package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ModelConfig;
import io.cddpm.config.ModelPreset;
import io.cddpm.config.Precision;
import io.cddpm.core.Engines;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The native kernels against DJL's own operators (values and gradients), and the whole UNet against
 * diffusers' UNet2DModel output for the same weights (fixture made by unet_small_diffusers.py), in
 * fp32 with either implementation and in bf16 mixed precision.
 */
class TorchKernelsTest {
    @BeforeAll
    static void engine() {
        Engines.pytorch();
        // The build packs the library unless it was told to skip it (-Dcddpm.kernels.skip).
        if (!Boolean.getBoolean("cddpm.kernels.skip")) {
            assertTrue(TorchKernels.available(), "native kernels should load: " + TorchKernels.unavailableReason());
        }
    }

    @AfterEach
    void restore() {
        TorchKernels.useNative(true);
    }

    private static double maxAbs(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void siluGroupNormAndAttentionMatchDjlOperatorsWithGradients() {
        Assumptions.assumeTrue(TorchKernels.available());
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 64, 4, 4));
            NDArray w = m.randomNormal(1, 0.1f, new Shape(64), DataType.FLOAT32);
            NDArray b = m.randomNormal(0, 0.1f, new Shape(64), DataType.FLOAT32);
            NDArray q = m.randomNormal(new Shape(2, 4, 16, 8));
            NDArray k = m.randomNormal(new Shape(2, 4, 16, 8));
            NDArray v = m.randomNormal(new Shape(2, 4, 16, 8));

            NDArray[] nativeOut = run(x, w, b, q, k, v, true);
            NDArray[] djlOut = run(x, w, b, q, k, v, false);
            for (int i = 0; i < nativeOut.length; i++) {
                // relative to the largest entry: the weight gradient sums 32 products per channel
                double relative = maxAbs(nativeOut[i], djlOut[i]) / (djlOut[i].abs().max().getFloat() + 1e-6);
                assertTrue(relative < 1e-5, "output/gradient " + i + " differs by " + relative + " (relative)");
            }
        }
    }

    /** silu(x), group_norm(x), attention(q, k, v) and the gradients of a scalar of all three w.r.t. x, w, q. */
    private static NDArray[] run(NDArray x0, NDArray w0, NDArray b0, NDArray q0, NDArray k0, NDArray v0, boolean kernels) {
        TorchKernels.useNative(kernels);
        NDArray x = x0.duplicate();
        NDArray w = w0.duplicate();
        NDArray q = q0.duplicate();
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        q.setRequiresGradient(true);
        GroupNorm norm = new GroupNorm(32, 64, 1e-5f);
        norm.initialize(x.getManager(), DataType.FLOAT32, x.getShape());
        norm.getParameters().get("weight").getArray().set(w0.toByteBuffer());
        norm.getParameters().get("bias").getArray().set(b0.toByteBuffer());
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray s = Layers.silu(x);
            // GroupNorm with the test's own weight array so its gradient is visible
            NDArray g = kernels
                    ? TorchKernels.groupNorm(x, 32, w, b0, 1e-5)
                    : referenceGroupNorm(x, w, b0);
            NDArray a = kernels ? TorchKernels.attention(q, k0, v0) : referenceAttention(q, k0, v0);
            NDArray viaBlock = norm.forward(new ParameterStore(x.getManager(), false), new NDList(x), false).singletonOrThrow();
            NDArray loss = s.sin().sum().add(g.mul(g.sin()).sum()).add(a.cos().sum());
            gc.backward(loss);
            return new NDArray[] {s, g, a, viaBlock, x.getGradient().duplicate(), w.getGradient().duplicate(), q.getGradient().duplicate()};
        }
    }

    private static NDArray referenceGroupNorm(NDArray x, NDArray w, NDArray b) {
        Shape s = x.getShape();
        NDArray g = x.reshape(s.get(0), 32, -1);
        NDArray mean = g.mean(new int[] {2}, true);
        NDArray var = g.sub(mean).square().mean(new int[] {2}, true);
        NDArray normed = g.sub(mean).div(var.add(1e-5).sqrt()).reshape(s);
        return normed.mul(w.reshape(1, -1, 1, 1)).add(b.reshape(1, -1, 1, 1));
    }

    private static NDArray referenceAttention(NDArray q, NDArray k, NDArray v) {
        return q.matMul(k.transpose(0, 1, 3, 2)).div(Math.sqrt(q.getShape().get(3))).softmax(-1).matMul(v);
    }

    @Test
    void unetMatchesDiffusersInFp32WithEitherImplementationAndInBf16() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
                InputStream in = TorchKernelsTest.class.getResourceAsStream("/reference/unet_small_diffusers.safetensors")) {
            Map<String, NDArray> ref = Safetensors.read(in, m, "unet_small_diffusers.safetensors").tensors();
            ModelConfig config = new ModelConfig(ModelPreset.CUSTOM, List.of(32, 64), 1, List.of(false, true), 8, 32, 24, null, null, 1);
            ConditionalUNet unet = UNets.create(UNetSpec.of(config, 16), m, 0);
            Map<String, NDArray> params = NamedParameters.arrays(unet);
            Set<String> unused = new HashSet<>(ref.keySet());
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray r = ref.get(e.getKey());
                assertTrue(r != null, "diffusers has no " + e.getKey());
                assertEquals(r.getShape(), e.getValue().getShape(), e.getKey());
                e.getValue().set(r.toByteBuffer());
                unused.remove(e.getKey());
            }
            assertEquals(Set.of("input.sample", "input.timesteps", "input.labels", "output.sample"), unused);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray expected = ref.get("output.sample");
            double[] errors = new double[3];
            int i = 0;
            for (boolean kernels : new boolean[] {true, false}) {
                TorchKernels.useNative(kernels);
                NDArray out = unet.predict(ps, ref.get("input.sample"), ref.get("input.timesteps"), ref.get("input.labels"), /* training= */ false);
                errors[i++] = maxAbs(out, expected);
            }
            TorchKernels.useNative(true);
            if (TorchKernels.available()) {
                unet.usePrecision(Precision.BF16, "test");
                NDArray out = unet.predict(ps, ref.get("input.sample"), ref.get("input.timesteps"), ref.get("input.labels"), /* training= */ false);
                assertEquals(DataType.FLOAT32, out.getDataType());
                errors[2] = out.sub(expected).abs().mean().getFloat() / expected.abs().mean().getFloat();
            }
            System.out.printf("UNet vs diffusers: fp32 native %.2e, fp32 djl %.2e max abs; bf16 mean relative %.2e%n", errors[0], errors[1], errors[2]);
            assertTrue(errors[0] < 1e-4 && errors[1] < 1e-4, "fp32 max abs errors " + errors[0] + ", " + errors[1]);
            assertTrue(errors[2] < 2e-2, "bf16 mean relative error " + errors[2]);
        }
    }
}
