package io.cddpm.model;

import io.cddpm.config.Conditioning;
import io.cddpm.config.ModelConfig;
import java.util.List;

/**
 * The resolved shape of a conditional UNet: what diffusers' UNet2DModel config would say
 * (block_out_channels, layers_per_block, which levels use attention blocks, head dim, groups),
 * plus the condition width, image size and which levels cross-attend to label tokens (all false
 * unless {@code crossAttention}; the mid block cross-attends whenever {@code crossAttention}), and
 * the patch size p: the network proper works on the image's p x p patches ({@link Patches}), a
 * (sampleSize / p)-sized grid of channels p^2 positions (p = 1: the image itself).
 *
 * <p>{@code conditionChannels} above 0 makes the network a super-resolution stage of a cascade (Ho et
 * al. 2021): an image of that many channels at the sample's size (the previous stage's sample, upsampled)
 * is read beside the noisy sample by conv_in, and the level of the Gaussian noise that augmented it is
 * embedded and added to the time embedding.
 */
public record UNetSpec(
        List<Integer> blockOutChannels,
        int layersPerBlock,
        List<Boolean> attentionLevels,
        int attentionHeadDim,
        int normGroups,
        int numClasses,
        int sampleSize,
        int channels,
        boolean crossAttention,
        List<Boolean> crossAttentionLevels,
        int patchSize,
        int conditionChannels) {

    public static final float NORM_EPS = 1e-5f;

    public UNetSpec {
        blockOutChannels = List.copyOf(blockOutChannels);
        attentionLevels = List.copyOf(attentionLevels);
        crossAttentionLevels = List.copyOf(crossAttentionLevels);
        if (blockOutChannels.isEmpty()) {
            throw new IllegalArgumentException("block_out_channels is empty");
        }
        if (crossAttentionLevels.size() != blockOutChannels.size()) {
            throw new IllegalArgumentException("cross_attention_levels has " + crossAttentionLevels.size()
                    + " entries but block_out_channels has " + blockOutChannels.size());
        }
        if (!crossAttention && crossAttentionLevels.contains(true)) {
            throw new IllegalArgumentException("cross_attention_levels needs cross-attention conditioning");
        }
        if (blockOutChannels.size() != attentionLevels.size()) {
            throw new IllegalArgumentException("attention_levels has " + attentionLevels.size()
                    + " entries but block_out_channels has " + blockOutChannels.size());
        }
        if (conditionChannels < 0) {
            throw new IllegalArgumentException("condition channels " + conditionChannels + " < 0");
        }
        if (patchSize < 1 || Integer.bitCount(patchSize) != 1) {
            throw new IllegalArgumentException("patch_size " + patchSize + " is not a power of two");
        }
        int factor = patchSize << (blockOutChannels.size() - 1);
        if (sampleSize % factor != 0) {
            throw new IllegalArgumentException("resolution " + sampleSize + " is not a multiple of patch_size x 2^(levels-1) = " + factor);
        }
    }

    /** The spec for an experiment's model section at the given image resolution (3-channel images). */
    public static UNetSpec of(ModelConfig model, int resolution) {
        ModelConfig r = model.resolved();
        UNetSpec spec = new UNetSpec(r.blockOutChannels(), r.layersPerBlock(), r.attentionLevels(),
                r.attentionHeadDim(), r.normGroups(), r.numClasses(), resolution, 3,
                r.conditioning() == Conditioning.CROSS_ATTENTION, r.crossAttentionAt(), r.patchSize(), 0);
        return r.superResolution().enabled() ? spec.withConditionImage(3) : spec;
    }

    /** The same network as a super-resolution stage reading a {@code channels}-channel condition image. */
    public UNetSpec withConditionImage(int channels) {
        return new UNetSpec(blockOutChannels, layersPerBlock, attentionLevels, attentionHeadDim, normGroups, numClasses, sampleSize,
                this.channels, crossAttention, crossAttentionLevels, patchSize, channels);
    }

    /** Whether the network reads a condition image and its augmentation level (a cascade's super-resolution stage). */
    public boolean conditionedOnImage() {
        return conditionChannels > 0;
    }

    public int levels() {
        return blockOutChannels.size();
    }

    /** Side of the grid the network proper works on: the image side over the patch size. */
    public int patchedSize() {
        return sampleSize / patchSize;
    }

    /** Channels of that grid: the image's channels times p^2. */
    public int patchedChannels() {
        return channels * patchSize * patchSize;
    }

    /** Channels conv_in reads: the sample's and the condition image's, times p^2. */
    public int inputChannels() {
        return (channels + conditionChannels) * patchSize * patchSize;
    }

    /** Width of the time (and label) embedding: 4 x the first level's channels. */
    public int timeEmbedDim() {
        return 4 * blockOutChannels.get(0);
    }
}
