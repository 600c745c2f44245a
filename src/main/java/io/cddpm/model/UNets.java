package io.cddpm.model;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Random;

/** Building, initialising and measuring conditional UNets. */
public final class UNets {
    private UNets() {}

    /** Builds and initialises a UNet in {@code manager} with PyTorch's default init, seeded. */
    public static ConditionalUNet create(UNetSpec spec, NDManager manager, long seed) {
        ConditionalUNet unet = new ConditionalUNet(spec);
        unet.initialize(manager, DataType.FLOAT32,
                new Shape(1, spec.channels(), spec.sampleSize(), spec.sampleSize()), new Shape(1), new Shape(1, spec.numClasses()));
        TorchInit.apply(unet, seed);
        return unet;
    }

    public static long parameterCount(Block block) {
        long n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            n += p.getValue().getArray().size();
        }
        return n;
    }

    /** PyTorch's default init for conv/linear (kaiming-uniform with a = sqrt(5): U(+-1/sqrt(fan_in)) for weights and biases). */
    static final class TorchInit {
        private TorchInit() {}

        static void apply(Block block, long seed) {
            Random random = new Random(seed);
            for (Pair<String, Parameter> p : block.getParameters()) {
                Parameter param = p.getValue();
                if (param.getType() != Parameter.Type.WEIGHT && param.getType() != Parameter.Type.BIAS) {
                    continue;
                }
                NDArray array = param.getArray();
                if (param.getType() == Parameter.Type.BIAS && isNorm(p.getKey())) {
                    continue;
                }
                if (p.getKey().endsWith(ConditionalUNet.LABEL_TOKENS)) { // an embedding table: N(0, 1) as torch.nn.Embedding
                    fill(array, random::nextGaussian);
                    continue;
                }
                double bound = 1.0 / Math.sqrt(fanIn(block, p.getKey(), array));
                fill(array, () -> (random.nextDouble() * 2 - 1) * bound);
            }
        }

        private static void fill(NDArray array, java.util.function.DoubleSupplier values) {
            float[] out = new float[Math.toIntExact(array.size())];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) values.getAsDouble();
            }
            Tensors.copyInto(array, out);
        }

        private static boolean isNorm(String name) {
            return name.contains("norm");
        }

        /** fan_in of the layer owning the parameter: the weight's size / out-channels. */
        private static long fanIn(Block block, String name, NDArray array) {
            if (name.endsWith("weight")) {
                Shape s = array.getShape();
                return s.size() / s.get(0);
            }
            String weightName = name.substring(0, name.length() - "bias".length()) + "weight";
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getKey().equals(weightName)) {
                    Shape s = p.getValue().getArray().getShape();
                    return s.size() / s.get(0);
                }
            }
            throw new IllegalStateException("no weight for bias " + name);
        }
    }
}
