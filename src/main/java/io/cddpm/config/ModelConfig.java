package io.cddpm.config;

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
 */
public record ModelConfig(
        ModelPreset preset,
        List<Integer> blockOutChannels,
        Integer layersPerBlock,
        List<Boolean> attentionLevels,
        int attentionHeadDim,
        int normGroups,
        int numClasses,
        Conditioning conditioning) {

    public ModelConfig {
        conditioning = conditioning == null ? Conditioning.ADD : conditioning;
        blockOutChannels = blockOutChannels == null ? null : List.copyOf(blockOutChannels);
        attentionLevels = attentionLevels == null ? null : List.copyOf(attentionLevels);
    }

    public static ModelConfig defaults() {
        return new ModelConfig(ModelPreset.TINY32, null, null, null, 8, 32, 24, Conditioning.ADD);
    }

    /**
     * The effective architecture: the same preset, with block_out_channels, layers_per_block and
     * attention_levels taken from this config where stated and from the preset otherwise (never null
     * for a validated config).
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
                conditioning);
    }

    /** Number of resolution levels of the resolved architecture (the image is halved levels-1 times). */
    public int levels() {
        List<Integer> channels = resolved().blockOutChannels();
        return channels == null ? 0 : channels.size();
    }
}
