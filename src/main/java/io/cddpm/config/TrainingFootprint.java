package io.cddpm.config;

import io.cddpm.core.Bytes;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.MachineMemory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What training an experiment's UNet takes in memory, estimated from its config alone, so that a
 * model or batch the machine cannot hold is refused by {@code cddpm config} (and before
 * {@code train}, {@code run} or {@code bench} start) rather than by libtorch asking for 1.6 TB.
 *
 * <p>The parameter count follows the network's layers (the conditional UNet: ResNet blocks with
 * their GroupNorms, convolutions and time projections, self- and cross-attention, resamplers, the
 * time and label embeddings, on the image's p x p patches when model.patch_size p is above 1). Each parameter costs 20 bytes while training: fp32 weight, gradient,
 * AdamW's two moments and the EMA copy. The activations are a lower bound: only the inputs that
 * backward must keep of each convolution, attention and resampler, at every level's size, for the
 * batch, in the compute precision. The total is therefore what the training needs at least.
 *
 * @param parameters      the UNet's parameter count
 * @param stateBytes      weights, gradients, AdamW moments and EMA copy
 * @param activationBytes the activations one training step keeps for backward (at least)
 */
public record TrainingFootprint(long parameters, double stateBytes, double activationBytes) {
    /** fp32 weight + gradient + two AdamW moments + EMA weight. */
    static final int BYTES_PER_PARAMETER = 20;
    /** RGB in, RGB out (times p x p with patches). */
    private static final int IMAGE_CHANNELS = 3;

    /** The estimate for an experiment (its resolved model, resolution, batch size and precision). */
    public static TrainingFootprint of(ExperimentConfig config) {
        ModelConfig m = config.model().resolved();
        Counter count = new Counter(m, config.resolution() / m.patchSize(), config.training().batchSize(),
                config.training().precision() == Precision.BF16 ? 2 : 4);
        count.unet();
        return new TrainingFootprint(count.parameters, (double) count.parameters * BYTES_PER_PARAMETER, count.activationBytes);
    }

    /** Everything together. */
    public double totalBytes() {
        return stateBytes + activationBytes;
    }

    /**
     * Refuses a training this machine's memory cannot hold, naming the estimate, the keys that set it
     * and the machine's memory; {@code source} names the file (and trial) in the message.
     */
    public static void requireFits(ExperimentConfig config, String source) {
        requireFits(config, source, MachineMemory.totalBytes());
    }

    static void requireFits(ExperimentConfig config, String source, long machineBytes) {
        TrainingFootprint f = of(config);
        if (f.totalBytes() <= machineBytes) {
            return;
        }
        ModelConfig m = config.model().resolved();
        throw new InvalidInputException(source + ": training this model needs at least " + Bytes.show(f.totalBytes())
                + " of memory, more than this machine's " + Bytes.show(machineBytes) + ": " + f.describeParameters()
                + " (model.block_out_channels " + m.blockOutChannels() + ", layers_per_block " + m.layersPerBlock()
                + ") take " + Bytes.show(f.stateBytes) + " with their gradients, AdamW moments and EMA copy, and the activations of"
                + " a batch of " + config.training().batchSize() + " at " + config.resolution() + "x" + config.resolution()
                + " (training.batch_size, resolution) " + Bytes.show(f.activationBytes)
                + "; use fewer channels, levels or layers, a smaller batch or a lower resolution");
    }

    /** "1.2 M parameters", "3.4 G parameters". */
    String describeParameters() {
        double p = parameters;
        String[] units = {"", " k", " M", " G", " T"};
        int u = 0;
        while (p >= 1000 && u < units.length - 1) {
            p /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f%s parameters" : "%.1f%s parameters", p, units[u]);
    }

    /** Walks the UNet's layers as ConditionalUNet builds them, adding up parameters and kept activations. */
    private static final class Counter {
        private final ModelConfig m;
        private final int grid;
        private final int imageChannels;
        private final double batchBytes;
        private final int temb;
        private final boolean cross;
        private final List<Boolean> crossLevels;
        private long parameters;
        private double activationBytes;

        /** @param grid the side of what the network proper sees: the resolution over the patch size */
        Counter(ModelConfig m, int grid, int batch, int bytesPerValue) {
            this.m = m;
            this.grid = grid;
            this.imageChannels = IMAGE_CHANNELS * m.patchSize() * m.patchSize();
            this.batchBytes = (double) batch * bytesPerValue;
            this.temb = 4 * m.blockOutChannels().get(0);
            this.cross = m.conditioning() == Conditioning.CROSS_ATTENTION;
            this.crossLevels = m.crossAttentionAt();
        }

        void unet() {
            List<Integer> ch = m.blockOutChannels();
            int levels = ch.size();
            int c0 = ch.get(0);
            conv(imageChannels, c0, 3, pixels(0));
            linear(c0, temb);
            linear(temb, temb);
            linear(m.numClasses(), temb);
            if (cross) {
                parameters += (long) m.numClasses() * temb; // label tokens
            }
            int output = c0;
            for (int i = 0; i < levels; i++) {
                int input = output;
                output = ch.get(i);
                for (int j = 0; j < m.layersPerBlock(); j++) {
                    resnet(j == 0 ? input : output, output, i);
                    attentions(output, i);
                }
                if (i < levels - 1) {
                    conv(output, output, 3, pixels(i));
                }
            }
            int last = ch.get(levels - 1);
            resnet(last, last, levels - 1);
            selfAttention(last, levels - 1);
            if (cross) {
                crossAttention(last, levels - 1);
            }
            resnet(last, last, levels - 1);
            List<Integer> rev = new ArrayList<>(ch);
            Collections.reverse(rev);
            output = rev.get(0);
            for (int i = 0; i < levels; i++) {
                int prevOutput = output;
                output = rev.get(i);
                int input = rev.get(Math.min(i + 1, levels - 1));
                int level = levels - 1 - i;
                int layers = m.layersPerBlock() + 1;
                for (int j = 0; j < layers; j++) {
                    int skip = j == layers - 1 ? input : output;
                    resnet((j == 0 ? prevOutput : output) + skip, output, level);
                    attentions(output, level);
                }
                if (i < levels - 1) {
                    conv(output, output, 3, pixels(level - 1)); // after the nearest x2 upsampling
                }
            }
            parameters += 2L * c0; // conv_norm_out
            conv(c0, imageChannels, 3, pixels(0));
        }

        /** Positions of one image at a level (the patch grid halved once per level). */
        private double pixels(int level) {
            double side = (double) grid / (1L << Math.min(level, 62));
            return side * side;
        }

        private void attentions(int channels, int level) {
            if (m.attentionLevels().get(level)) {
                selfAttention(channels, level);
            }
            if (crossLevels.get(level)) {
                crossAttention(channels, level);
            }
        }

        private void resnet(int in, int out, int level) {
            parameters += 2L * in + 2L * out; // the two GroupNorms
            conv(in, out, 3, pixels(level));
            linear(temb, out);
            conv(out, out, 3, pixels(level));
            if (in != out) {
                conv(in, out, 1, pixels(level));
            }
        }

        /** GroupNorm, q, k, v and out projections; backward keeps q, k, v and the output. */
        private void selfAttention(int c, int level) {
            parameters += 2L * c + 4L * ((long) c * c + c);
            activationBytes += batchBytes * 4.0 * c * pixels(level);
        }

        /** GroupNorm, q and out projections of the image, k and v of the label tokens (no bias); backward keeps q and the output. */
        private void crossAttention(int c, int level) {
            parameters += 2L * c + 2L * ((long) c * c + c) + 2L * temb * c;
            activationBytes += batchBytes * 2.0 * c * pixels(level);
        }

        private void conv(int in, int out, int kernel, double pixels) {
            parameters += (long) in * out * kernel * kernel + out;
            activationBytes += batchBytes * in * pixels;
        }

        private void linear(int in, int out) {
            parameters += (long) in * out + out;
        }
    }
}
