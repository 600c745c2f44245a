package io.cddpm.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cddpm.core.EnumIds;
import java.util.List;

/**
 * Named UNet architectures. {@code custom} has no values of its own: block_out_channels,
 * layers_per_block and attention_levels must then all be given.
 */
public enum ModelPreset {
    /** 32x32, channels (32, 64, 128), attention at the deepest level only, 2 layers per block. */
    TINY32("tiny32", 32, List.of(32, 64, 128), 2, List.of(false, false, true)),
    /** 32x32, channels (64, 128, 256), attention at levels 2 and 3, 2 layers per block. */
    BASE32("base32", 32, List.of(64, 128, 256), 2, List.of(false, true, true)),
    /** 64x64, channels (128, 128, 256, 256, 512, 512), attention at level 5 of 6, 2 layers per block (the reference solution). */
    LAB64("lab64", 64, List.of(128, 128, 256, 256, 512, 512), 2, List.of(false, false, false, false, true, false)),
    /** Everything stated in the config. */
    CUSTOM("custom", 0, null, 0, null);

    private final String id;
    private final int nativeResolution;
    private final List<Integer> blockOutChannels;
    private final int layersPerBlock;
    private final List<Boolean> attentionLevels;

    ModelPreset(String id, int nativeResolution, List<Integer> blockOutChannels, int layersPerBlock, List<Boolean> attentionLevels) {
        this.id = id;
        this.nativeResolution = nativeResolution;
        this.blockOutChannels = blockOutChannels;
        this.layersPerBlock = layersPerBlock;
        this.attentionLevels = attentionLevels;
    }

    @JsonValue
    public String id() {
        return id;
    }

    /** The resolution the preset was designed for (0 for custom); informative, not enforced. */
    public int nativeResolution() {
        return nativeResolution;
    }

    /** The preset's channels per level, or null for custom. */
    public List<Integer> blockOutChannels() {
        return blockOutChannels;
    }

    /** The preset's ResNet layers per block, or 0 for custom. */
    public int layersPerBlock() {
        return layersPerBlock;
    }

    /** The preset's attention flag per level, or null for custom. */
    public List<Boolean> attentionLevels() {
        return attentionLevels;
    }

    @JsonCreator
    public static ModelPreset of(String id) {
        return EnumIds.byId(values(), ModelPreset::id, id, "model preset");
    }
}
