package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.cddpm.config.Precision;
import io.cddpm.core.InvalidInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The conditional denoiser: diffusers' UNet2DModel (positional time embedding with
 * flip_sin_to_cos and shift 0, ResNet down/up blocks with optional attention, a mid block with
 * attention, stride-2 conv downsampling, nearest x2 + conv upsampling, skip connections) with the
 * i-CLEVR reference solution's conditioning: multi-hot labels -> Linear(numClasses, 4 C0) added to
 * the time embedding. With {@link UNetSpec#crossAttention()}, the mid block and every ResNet layer of
 * the {@link UNetSpec#crossAttentionLevels()} are followed (after their self-attention, where the level
 * has it) by a cross-attention {@link AttentionBlock} over one learned token per label (label_tokens,
 * (numClasses, 4 C0)), each scaled by its entry of the multi-hot, so absent labels are zero tokens.
 *
 * <p>With a {@link UNetSpec#patchSize()} p above 1 the image enters as its p x p patches (space to
 * depth, {@link Patches}): conv_in reads 3 p^2 channels at H/p x W/p, conv_out writes 3 p^2 and the
 * result is put back to H x W, so everything between runs at 1/p of the side. Parameter names are
 * the same for every p (conv_in's and conv_out's shapes change); p = 1 is the network without any
 * reshaping.
 *
 * <p>With {@link UNetSpec#conditionedOnImage()} (a cascade's super-resolution stage) conv_in reads the
 * condition image (B, c, H, W) concatenated to the sample on the channel axis (before patching), and
 * the augmentation level of its noise (B) float, a timestep of the stage's schedule, goes through its
 * own sinusoidal embedding and two linear layers (augmentation_embedding.linear_1/2, as the time
 * embedding's) and is added to the time embedding.
 *
 * <p>Inputs: (sample (B, 3, H, W), timesteps (B) float, labels (B, numClasses)[, condition image,
 * augmentation levels]); output: (B, 3, H, W).
 */
public final class ConditionalUNet extends AbstractBlock {
    private final UNetSpec spec;
    private final Block convIn;
    private final Block timeLinear1;
    private final Block timeLinear2;
    private final Block classEmbedding;
    private final Block augLinear1;
    private final Block augLinear2;
    private final List<Level> down = new ArrayList<>();
    private final Block midResnet1;
    private final Block midAttention;
    private final Block midCrossAttention;
    private final Parameter labelTokens;
    private final Block midResnet2;
    private final List<Level> up = new ArrayList<>();
    private final Block convNormOut;
    private final Block convOut;

    private Precision precision = Precision.FP32;

    /** One resolution level: resnets, optional attention (and cross-attention) after each, optional resampler. */
    private record Level(List<ResnetBlock> resnets, List<Block> attentions, List<Block> crossAttentions, Block resampler) {}

    public ConditionalUNet(UNetSpec spec) {
        this.spec = spec;
        List<Integer> ch = spec.blockOutChannels();
        int c0 = ch.get(0);
        int temb = spec.timeEmbedDim();
        int groups = spec.normGroups();
        float eps = UNetSpec.NORM_EPS;
        int levels = spec.levels();

        convIn = addChildBlock("conv_in", Layers.conv(c0, 3, 1, 1));
        timeLinear1 = addChildBlock("time_embedding.linear_1", Layers.linear(temb));
        timeLinear2 = addChildBlock("time_embedding.linear_2", Layers.linear(temb));
        classEmbedding = addChildBlock("class_embedding", Layers.linear(temb));
        augLinear1 = spec.conditionedOnImage() ? addChildBlock("augmentation_embedding.linear_1", Layers.linear(temb)) : null;
        augLinear2 = spec.conditionedOnImage() ? addChildBlock("augmentation_embedding.linear_2", Layers.linear(temb)) : null;
        labelTokens = !spec.crossAttention() ? null : addParameter(Parameter.builder().setName(LABEL_TOKENS)
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(spec.numClasses(), temb)).build());

        int output = c0;
        for (int i = 0; i < levels; i++) {
            int input = output;
            output = ch.get(i);
            boolean attn = spec.attentionLevels().get(i);
            boolean crossAttn = spec.crossAttentionLevels().get(i);
            List<ResnetBlock> resnets = new ArrayList<>();
            List<Block> attentions = new ArrayList<>();
            List<Block> crossAttentions = new ArrayList<>();
            for (int j = 0; j < spec.layersPerBlock(); j++) {
                resnets.add(addChildBlock("down_blocks." + i + ".resnets." + j,
                        new ResnetBlock(j == 0 ? input : output, output, temb, groups, eps)));
                if (attn) {
                    attentions.add(addChildBlock("down_blocks." + i + ".attentions." + j,
                            AttentionBlock.self(output, spec.attentionHeadDim(), groups, eps)));
                }
                if (crossAttn) {
                    crossAttentions.add(crossAttention("down_blocks." + i + ".cross_attentions." + j, output));
                }
            }
            Block downsampler = i == levels - 1 ? null
                    : addChildBlock("down_blocks." + i + ".downsamplers.0.conv", Layers.conv(output, 3, 2, 1));
            down.add(new Level(resnets, attentions, crossAttentions, downsampler));
        }

        int last = ch.get(levels - 1);
        midResnet1 = addChildBlock("mid_block.resnets.0", new ResnetBlock(last, last, temb, groups, eps));
        midAttention = addChildBlock("mid_block.attentions.0", AttentionBlock.self(last, spec.attentionHeadDim(), groups, eps));
        midCrossAttention = spec.crossAttention() ? crossAttention("mid_block.cross_attentions.0", last) : null;
        midResnet2 = addChildBlock("mid_block.resnets.1", new ResnetBlock(last, last, temb, groups, eps));

        List<Integer> rev = new ArrayList<>(ch);
        Collections.reverse(rev);
        output = rev.get(0);
        for (int i = 0; i < levels; i++) {
            int prevOutput = output;
            output = rev.get(i);
            int input = rev.get(Math.min(i + 1, levels - 1));
            boolean attn = spec.attentionLevels().get(levels - 1 - i);
            boolean crossAttn = spec.crossAttentionLevels().get(levels - 1 - i);
            int layers = spec.layersPerBlock() + 1;
            List<ResnetBlock> resnets = new ArrayList<>();
            List<Block> attentions = new ArrayList<>();
            List<Block> crossAttentions = new ArrayList<>();
            for (int j = 0; j < layers; j++) {
                int skip = j == layers - 1 ? input : output;
                int resIn = j == 0 ? prevOutput : output;
                resnets.add(addChildBlock("up_blocks." + i + ".resnets." + j,
                        new ResnetBlock(resIn + skip, output, temb, groups, eps)));
                if (attn) {
                    attentions.add(addChildBlock("up_blocks." + i + ".attentions." + j,
                            AttentionBlock.self(output, spec.attentionHeadDim(), groups, eps)));
                }
                if (crossAttn) {
                    crossAttentions.add(crossAttention("up_blocks." + i + ".cross_attentions." + j, output));
                }
            }
            Block upsampler = i == levels - 1 ? null
                    : addChildBlock("up_blocks." + i + ".upsamplers.0.conv", Layers.conv(output, 3, 1, 1));
            up.add(new Level(resnets, attentions, crossAttentions, upsampler));
        }
        convNormOut = addChildBlock("conv_norm_out", new GroupNorm(groups, c0, eps));
        convOut = addChildBlock("conv_out", Layers.conv(spec.patchedChannels(), 3, 1, 1));
    }

    /**
     * Channels per cross-attention head (where the level's channels allow; attention_head_dim
     * otherwise): a few wide heads, as Stable Diffusion's 64, since a handful of label tokens need no
     * more (for the recipe's network, 8-, 64- and 192-channel heads trained at the same speed within
     * the bench's noise).
     */
    static final int CROSS_HEAD_DIM = 64;

    /** The name of the label-token table (numClasses, 4 C0) among the parameters. */
    static final String LABEL_TOKENS = "label_tokens";

    /** Adds a cross-attention block over the label tokens. */
    private Block crossAttention(String name, int channels) {
        return addChildBlock(name, AttentionBlock.cross(channels, channels % CROSS_HEAD_DIM == 0 ? CROSS_HEAD_DIM : spec.attentionHeadDim(),
                spec.normGroups(), UNetSpec.NORM_EPS));
    }

    public UNetSpec spec() {
        return spec;
    }

    /**
     * Convenience forward for inference and training code. An inference call ({@code training} false)
     * records no autograd graph, on any thread (see {@link GradMode}); a training call records one
     * when the caller collects gradients.
     */
    public NDArray predict(ParameterStore ps, NDArray sample, NDArray timesteps, NDArray labels, boolean training) {
        return predict(ps, new NDList(sample, timesteps, labels), training);
    }

    /**
     * {@link #predict(ParameterStore, NDArray, NDArray, NDArray, boolean)} of a super-resolution stage: with
     * the condition image (B, c, H, W) and the augmentation level (B) of its noise.
     */
    public NDArray predict(ParameterStore ps, NDArray sample, NDArray timesteps, NDArray labels, NDArray conditionImage,
            NDArray augmentationLevels, boolean training) {
        return predict(ps, new NDList(sample, timesteps, labels, conditionImage, augmentationLevels), training);
    }

    private NDArray predict(ParameterStore ps, NDList inputs, boolean training) {
        if (training) {
            return predictInMode(ps, inputs, true);
        }
        try (TorchKernels.Region noGrad = GradMode.off()) {
            return predictInMode(ps, inputs, false);
        }
    }

    private NDArray predictInMode(ParameterStore ps, NDList inputs, boolean training) {
        if (precision == Precision.FP32) {
            return forward(ps, inputs, training).singletonOrThrow();
        }
        NDArray out;
        try (TorchKernels.Region bf16 = TorchKernels.autocast(inputs.get(0).getDevice())) {
            out = forward(ps, inputs, training).singletonOrThrow();
        }
        return TorchKernels.isBFloat16(out) ? TorchKernels.toFloat32(out) : out;
    }

    /**
     * Selects the compute precision of {@link #predict}: fp32, or bf16 mixed precision (convolutions
     * and matrix products in bfloat16 under libtorch's autocast, weights and their gradients kept in
     * fp32, the output handed back as fp32). bf16 needs the native kernels.
     *
     * @param key the configuration key named in the error when bf16 cannot be used
     */
    public ConditionalUNet usePrecision(Precision precision, String key) {
        if (precision == Precision.BF16 && !TorchKernels.available()) {
            throw new InvalidInputException(key + ": bf16 needs cddpm's native kernels, which are unavailable: "
                    + TorchKernels.unavailableReason());
        }
        this.precision = precision;
        return this;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray sample = inputs.get(0);
        NDArray timesteps = inputs.get(1);
        NDArray labels = inputs.get(2);
        if (spec.conditionedOnImage() != (inputs.size() == 5)) {
            throw new IllegalArgumentException(spec.conditionedOnImage()
                    ? "a super-resolution stage needs its condition image and augmentation levels (5 inputs), got " + inputs.size()
                    : "this network reads no condition image: 3 inputs, got " + inputs.size());
        }

        NDArray tProj = TimestepEmbedding.sinusoidal(timesteps, spec.blockOutChannels().get(0)).toType(sample.getDataType(), false);
        NDArray emb = ResnetBlock.one(timeLinear2, ps, Layers.silu(ResnetBlock.one(timeLinear1, ps, tProj, training)), training);
        emb = emb.add(ResnetBlock.one(classEmbedding, ps, labels.toType(sample.getDataType(), false), training));
        NDArray input = sample;
        if (spec.conditionedOnImage()) {
            NDArray aProj = TimestepEmbedding.sinusoidal(inputs.get(4), spec.blockOutChannels().get(0)).toType(sample.getDataType(), false);
            emb = emb.add(ResnetBlock.one(augLinear2, ps, Layers.silu(ResnetBlock.one(augLinear1, ps, aProj, training)), training));
            input = sample.concat(inputs.get(3).toType(sample.getDataType(), false), 1);
        }
        NDArray tokens = labelTokens == null ? null : labelTokens(ps, labels, training);

        // Activations are closed once consumed (skips when their up level has used them), so the
        // step's memory is what autograd keeps, as in PyTorch; see ResnetBlock.
        NDArray h = spec.patchSize() == 1 ? ResnetBlock.one(convIn, ps, input, training) : patchedConvIn(ps, input, training);
        if (input != sample) {
            input.close();
        }
        List<NDArray> skips = new ArrayList<>();
        skips.add(h);
        for (Level level : down) {
            for (int j = 0; j < level.resnets.size(); j++) {
                h = level.resnets.get(j).forward(ps, new NDList(h, emb), training).singletonOrThrow();
                h = attend(level, j, h, tokens, ps, training);
                skips.add(h);
            }
            if (level.resampler != null) {
                h = ResnetBlock.one(level.resampler, ps, h, training);
                skips.add(h);
            }
        }
        h = midResnet1.forward(ps, new NDList(h, emb), training).singletonOrThrow();
        h = replace(h, ResnetBlock.one(midAttention, ps, h, training));
        if (midCrossAttention != null) {
            h = replace(h, midCrossAttention.forward(ps, new NDList(h, tokens), training).singletonOrThrow());
        }
        h = replace(h, midResnet2.forward(ps, new NDList(h, emb), training).singletonOrThrow());
        for (Level level : up) {
            for (int j = 0; j < level.resnets.size(); j++) {
                NDArray skip = skips.remove(skips.size() - 1);
                NDArray joined = h.concat(skip, 1);
                h.close();
                skip.close();
                h = replace(joined, level.resnets.get(j).forward(ps, new NDList(joined, emb), training).singletonOrThrow());
                h = attend(level, j, h, tokens, ps, training);
            }
            if (level.resampler != null) {
                long size = h.getShape().get(2);
                h = replace(h, h.getNDArrayInternal().interpolation(new long[] {2 * size, 2 * size}, 0, false)); // nearest x2
                h = replace(h, ResnetBlock.one(level.resampler, ps, h, training));
            }
        }
        h = replace(h, ResnetBlock.one(convNormOut, ps, h, training));
        h = replace(h, Layers.silu(h));
        if (tokens != null) {
            tokens.close();
        }
        h = replace(h, ResnetBlock.one(convOut, ps, h, training));
        return new NDList(spec.patchSize() == 1 ? h : replace(h, Patches.unpatchify(h, spec.patchSize())));
    }

    /** conv_in on the sample's patches (the patches closed once read). */
    private NDArray patchedConvIn(ParameterStore ps, NDArray sample, boolean training) {
        try (NDArray patches = Patches.patchify(sample, spec.patchSize())) {
            return ResnetBlock.one(convIn, ps, patches, training);
        }
    }

    /** The level's j-th self-attention and cross-attention on h, where the level has them. */
    private static NDArray attend(Level level, int j, NDArray h, NDArray tokens, ParameterStore ps, boolean training) {
        if (!level.attentions.isEmpty()) {
            h = replace(h, ResnetBlock.one(level.attentions.get(j), ps, h, training));
        }
        if (!level.crossAttentions.isEmpty()) {
            h = replace(h, level.crossAttentions.get(j).forward(ps, new NDList(h, tokens), training).singletonOrThrow());
        }
        return h;
    }

    /** (B, numClasses, D): each label's token times its multi-hot entry (absent labels are zero tokens). */
    private NDArray labelTokens(ParameterStore ps, NDArray labels, boolean training) {
        NDArray table = ps.getValue(labelTokens, labels.getDevice(), training);
        NDArray mask = labels.toType(table.getDataType(), false).expandDims(2);
        NDArray row = table.expandDims(0);
        NDArray tokens = mask.mul(row);
        mask.close();
        row.close();
        return tokens;
    }

    /** Closes a consumed activation and hands back its successor. */
    private static NDArray replace(NDArray consumed, NDArray next) {
        consumed.close();
        return next;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long b = inputShapes[0].get(0);
        int p = spec.patchSize();
        int size = (int) inputShapes[0].get(2) / p;
        List<Integer> ch = spec.blockOutChannels();
        int c0 = ch.get(0);
        int temb = spec.timeEmbedDim();
        convIn.initialize(manager, dataType, new Shape(b, (inputShapes[0].get(1) + spec.conditionChannels()) * p * p, size, size));
        timeLinear1.initialize(manager, dataType, new Shape(b, c0));
        timeLinear2.initialize(manager, dataType, new Shape(b, temb));
        if (augLinear1 != null) {
            augLinear1.initialize(manager, dataType, new Shape(b, c0));
            augLinear2.initialize(manager, dataType, new Shape(b, temb));
        }
        classEmbedding.initialize(manager, dataType, new Shape(b, spec.numClasses()));
        Shape tokens = new Shape(b, spec.numClasses(), temb);
        List<Integer> skipChannels = new ArrayList<>();
        skipChannels.add(c0);
        int channels = c0;
        for (int i = 0; i < down.size(); i++) {
            Level level = down.get(i);
            for (int j = 0; j < level.resnets.size(); j++) {
                ResnetBlock r = level.resnets.get(j);
                r.initialize(manager, dataType, new Shape(b, r.inChannels(), size, size), new Shape(b, temb));
                channels = ch.get(i);
                if (!level.attentions.isEmpty()) {
                    level.attentions.get(j).initialize(manager, dataType, new Shape(b, channels, size, size));
                }
                if (!level.crossAttentions.isEmpty()) {
                    level.crossAttentions.get(j).initialize(manager, dataType, new Shape(b, channels, size, size), tokens);
                }
            }
            if (level.resampler != null) {
                level.resampler.initialize(manager, dataType, new Shape(b, channels, size, size));
                size /= 2;
            }
        }
        Shape mid = new Shape(b, channels, size, size);
        midResnet1.initialize(manager, dataType, mid, new Shape(b, temb));
        midAttention.initialize(manager, dataType, mid);
        if (midCrossAttention != null) {
            midCrossAttention.initialize(manager, dataType, mid, tokens);
        }
        midResnet2.initialize(manager, dataType, mid, new Shape(b, temb));
        for (int i = 0; i < up.size(); i++) {
            Level level = up.get(i);
            int out = ch.get(ch.size() - 1 - i);
            for (int j = 0; j < level.resnets.size(); j++) {
                ResnetBlock r = level.resnets.get(j);
                r.initialize(manager, dataType, new Shape(b, r.inChannels(), size, size), new Shape(b, temb));
                if (!level.attentions.isEmpty()) {
                    level.attentions.get(j).initialize(manager, dataType, new Shape(b, out, size, size));
                }
                if (!level.crossAttentions.isEmpty()) {
                    level.crossAttentions.get(j).initialize(manager, dataType, new Shape(b, out, size, size), tokens);
                }
            }
            if (level.resampler != null) {
                size *= 2;
                level.resampler.initialize(manager, dataType, new Shape(b, out, size, size));
            }
        }
        convNormOut.initialize(manager, dataType, new Shape(b, c0, size, size));
        convOut.initialize(manager, dataType, new Shape(b, c0, size, size));
    }
}
