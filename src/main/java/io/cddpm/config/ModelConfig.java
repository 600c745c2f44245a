package io.cddpm.config;

import java.util.Collections;
import java.util.List;

/**
 * The conditional UNet. A preset supplies block_out_channels, layers_per_block and
 * attention_levels; any of them stated here overrides the preset's. Use {@link #resolved()} for the
 * effective values.
 *
 * @param blockOutChannels channels per resolution level (null = the preset's)
 * @param layersPerBlock   ResNet layers per level (null = the preset's)
 * @param attentionLevels  self-attention per level (null = the preset's)
 * @param attentionHeadDim channels per attention head
 * @param normGroups       GroupNorm groups (must divide every level's channels)
 * @param numClasses       condition width (multi-hot labels)
 * @param conditioning     how the labels enter the network (null = add)
 * @param crossAttentionLevels with cross_attention conditioning, which levels cross-attend to the
 *                         label tokens after each ResNet layer (null = the attention levels); the mid
 *                         block always does. A level may cross-attend without self-attention; at
 *                         the larger resolutions that is costly (README: -20-25% img/s at 16x16).
 * @param patchSize        side p of the square patches the network works on (a power of two; 1 = the
 *                         pixels themselves): the image enters as (3 p^2, H/p, W/p) space-to-depth
 *                         patches and leaves the same way, so at 64x64 with p = 2 the network runs
 *                         on a 32x32 grid and costs about what it costs at 32x32; only conv_in and
 *                         conv_out grow (3 p^2 channels), every other parameter is the same.
 * @param superResolution  whether the model is a cascade's super-resolution stage, and from which size
 */
public record ModelConfig(
        ModelPreset preset,
        List<Integer> blockOutChannels,
        Integer layersPerBlock,
        List<Boolean> attentionLevels,
        int attentionHeadDim,
        int normGroups,
        int numClasses,
        Conditioning conditioning,
        List<Boolean> crossAttentionLevels,
        int patchSize,
        SuperResolution superResolution) {

    /** A plain model (no super-resolution stage). */
    public ModelConfig(ModelPreset preset, List<Integer> blockOutChannels, Integer layersPerBlock, List<Boolean> attentionLevels,
            int attentionHeadDim, int normGroups, int numClasses, Conditioning conditioning, List<Boolean> crossAttentionLevels,
            int patchSize) {
        this(preset, blockOutChannels, layersPerBlock, attentionLevels, attentionHeadDim, normGroups, numClasses, conditioning,
                crossAttentionLevels, patchSize, SuperResolution.defaults());
    }

    public ModelConfig {
        superResolution = superResolution == null ? SuperResolution.defaults() : superResolution;
        conditioning = conditioning == null ? Conditioning.ADD : conditioning;
        crossAttentionLevels = crossAttentionLevels == null ? null : List.copyOf(crossAttentionLevels);
        blockOutChannels = blockOutChannels == null ? null : List.copyOf(blockOutChannels);
        attentionLevels = attentionLevels == null ? null : List.copyOf(attentionLevels);
    }

    public static ModelConfig defaults() {
        return new ModelConfig(ModelPreset.TINY32, null, null, null, 8, 32, 24, Conditioning.ADD, null, 1);
    }

    /**
     * The effective architecture: the same preset, with block_out_channels, layers_per_block and
     * attention_levels taken from this config where stated and from the preset otherwise (never null
     * for a validated config). cross_attention_levels stays as given (see {@link #crossAttentionAt()}),
     * so configs written before the key existed keep their hash.
     */
    public ModelConfig resolved() {
        return new ModelConfig(
                preset,
                blockOutChannels != null ? blockOutChannels : preset.blockOutChannels(),
                layersPerBlock != null ? layersPerBlock : (preset == ModelPreset.CUSTOM ? null : preset.layersPerBlock()),
                attentionLevels != null ? attentionLevels : preset.attentionLevels(),
                attentionHeadDim,
                normGroups,
                numClasses,
                conditioning,
                crossAttentionLevels,
                patchSize,
                superResolution);
    }

    /** Number of resolution levels of the resolved architecture (the image is halved levels-1 times). */
    public int levels() {
        List<Integer> channels = resolved().blockOutChannels();
        return channels == null ? 0 : channels.size();
    }

    /**
     * Which levels cross-attend to the label tokens: none without cross_attention conditioning,
     * cross_attention_levels where stated, the attention levels otherwise.
     */
    public List<Boolean> crossAttentionAt() {
        ModelConfig r = resolved();
        if (conditioning != Conditioning.CROSS_ATTENTION) {
            return Collections.nCopies(r.blockOutChannels().size(), false);
        }
        return crossAttentionLevels != null ? crossAttentionLevels : r.attentionLevels();
    }
}
