package io.cddpm.config;

import io.cddpm.core.InvalidInputException;
import io.cddpm.core.Limits;
import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.NoiseSchedule;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quartz.CronExpression;

/**
 * The value checks that types alone cannot express, each naming the key (and line) at fault. Sizes
 * are checked against their stated upper bounds ({@link Limits}) here, so {@code cddpm config}
 * refuses what training would choke on.
 */
final class ConfigValidator {

    private ConfigValidator() {}

    static void validate(ExperimentConfig c, Locations loc) {
        text(c.name(), List.of("name"), loc);
        if (c.name().contains("/") || c.name().contains("\\") || c.name().equals(".") || c.name().equals("..")) {
            throw loc.error(List.of("name"), "'" + c.name() + "' is used as a folder name: no '/' or '\\'");
        }
        int nameBytes = c.name().getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes > Limits.MAX_NAME_BYTES) {
            throw loc.error(List.of("name"), "name too long: " + c.name().length() + " characters (" + nameBytes + " bytes in UTF-8);"
                    + " the limit is " + Limits.MAX_NAME_BYTES + " bytes, as it names the run folder and the MLflow experiment");
        }
        text(c.outputDir(), List.of("output_dir"), loc);
        dataset(c.dataset(), loc);
        ModelConfig m = model(c.model(), loc);
        resolution(c.resolution(), m, loc);
        if (c.dataset().rendered() && c.dataset().render().count() != null) {
            renderedBytes(c, loc);
        }
        diffusion(c.diffusion(), c.resolution(), loc);
        superResolution(m.superResolution(), c.resolution(), c.diffusion().trainTimesteps(), loc);
        training(c.training(), loc);
        sampling(c.sampling(), c.diffusion(), c.model().superResolution(), c.resolution(), loc);
        text(c.evaluation().evaluator(), List.of("evaluation", "evaluator"), loc);
        positive(c.evaluation().evaluatorEpochs(), List.of("evaluation", "evaluator_epochs"), loc);
        positive(c.evaluation().evaluatorRenders(), List.of("evaluation", "evaluator_renders"), loc);
        if (c.evaluation().evaluatorRenders() > 1 && !c.dataset().rendered()) {
            throw loc.error(List.of("evaluation", "evaluator_renders"), "more than one render needs dataset.root: render (got root '"
                    + c.dataset().root() + "'); train an evaluator on real data with 'cddpm evaluator train' and name its file");
        }
        if (TrackingUris.hasCredentials(c.tracking().uri())) {
            throw loc.error(List.of("tracking", "uri"), TrackingUris.refusal(c.tracking().uri()));
        }
        trackingUri(c.tracking().uri(), loc);
        optionalText(c.tracking().experiment(), List.of("tracking", "experiment"), loc);
        if (c.tracking().systemMetricsInterval() < 0) {
            throw loc.error(List.of("tracking", "system_metrics_interval"), "must be 0 (off) or a number of seconds, got "
                    + c.tracking().systemMetricsInterval());
        }
        cron(c.schedule().sweepCron(), List.of("schedule", "sweep_cron"), loc);
        cron(c.schedule().reevalCron(), List.of("schedule", "reeval_cron"), loc);
        sweepSize(c, loc);
    }

    /** The rendered images (and the evaluator's other renders of them) must fit the one array a dataset is held in. */
    private static void renderedBytes(ExperimentConfig c, Locations loc) {
        int renders = c.evaluation().evaluatorRenders();
        Limits.datasetTooLarge((long) c.dataset().render().count() * Math.max(1, renders), c.resolution()).ifPresent(why -> {
            throw loc.error(loc.pick(List.of("dataset", "render", "count"), List.of("resolution")), "render.count "
                    + c.dataset().render().count() + (renders > 1 ? " x evaluation.evaluator_renders " + renders : "") + ": " + why);
        });
    }

    /**
     * Only an MLflow tracking server is tracked to, through its REST API: an http(s) URL. A file: URI
     * (MLflow's local folder store) gets how to serve that folder instead.
     */
    private static void trackingUri(String uri, Locations loc) {
        List<String> at = List.of("tracking", "uri");
        optionalText(uri, at, loc);
        if (uri == null || TrackingConfig.isServerUri(uri)) {
            return;
        }
        if (uri.regionMatches(true, 0, "file:", 0, 5) || !uri.matches("(?s)[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            throw loc.error(at, "'" + uri + "' is a folder, but cddpm needs an MLflow tracking server (http:// or https://):"
                    + " start one with mlflow/serve.sh [PORT] and give its http://127.0.0.1:PORT, or leave tracking.uri unset and"
                    + " `cddpm run` starts a local server (data in mlruns/)");
        }
        throw loc.error(at, "'" + uri + "' is not an MLflow tracking server's address: give http://HOST:PORT or https://HOST,"
                + " or leave tracking.uri unset for the local server");
    }

    /**
     * The number of grid points (the product of the sweep axes' lengths), counted before any point is
     * built: a grid of a million trials used to take gigabytes before anything was said.
     */
    private static void sweepSize(ExperimentConfig c, Locations loc) {
        BigInteger points = BigInteger.ONE;
        List<String> sizes = new ArrayList<>();
        for (Map.Entry<String, List<Object>> axis : c.sweep().entrySet()) {
            points = points.multiply(BigInteger.valueOf(axis.getValue().size()));
            sizes.add(axis.getValue().size() + " " + axis.getKey());
        }
        if (points.compareTo(BigInteger.valueOf(Limits.MAX_SWEEP_POINTS)) > 0) {
            throw loc.error(List.of(ConfigSchema.SWEEP), "a grid of " + points + " points (" + String.join(" x ", sizes) + "); the limit is "
                    + Limits.MAX_SWEEP_POINTS + " (trials times sampling points): split the sweep into several files");
        }
    }

    /**
     * The largest image side accepted, 8x the task's 64: a bound against typos (a UNet at 512x512 is
     * already a large-GPU job). It is not the data layer's limit: that keeps a dataset's pixels in one
     * Java array of at most 2^31 bytes, which the full train.json (18,009 images) fills at 199x199.
     */
    static final int MAX_RESOLUTION = Limits.MAX_IMAGE_SIZE;

    /**
     * The image side against the model: at most {@link #MAX_RESOLUTION}, a whole number of p x p
     * patches (p = model.patch_size, a power of two), and a patch grid the model's levels can halve
     * levels-1 times, i.e. a multiple of p x 2^(levels-1).
     */
    private static void resolution(int resolution, ModelConfig m, Locations loc) {
        List<String> res = List.of("resolution");
        List<String> patch = List.of("model", "patch_size");
        int p = m.patchSize();
        if (p < 1 || Integer.bitCount(p) != 1) {
            throw loc.error(patch, "must be a power of two (1 = no patches, 2, 4, ...), got " + p);
        }
        if (resolution < Limits.MIN_IMAGE_SIZE || resolution > MAX_RESOLUTION) {
            throw loc.error(res, "resolution " + resolution + " must be between " + Limits.MIN_IMAGE_SIZE + " and " + MAX_RESOLUTION
                    + " pixels");
        }
        if (p > resolution) {
            throw loc.error(loc.pick(patch, res), "patch_size " + p + " is larger than the image (resolution " + resolution + ")");
        }
        int levels = m.blockOutChannels().size();
        int factor = p << (levels - 1);
        if (resolution % factor != 0) {
            String model = " for the " + levels + "-level model (" + m.preset().id() + ", block_out_channels " + m.blockOutChannels() + ")";
            if (p == 1) {
                List<String> at = loc.pick(res, List.of("model", "block_out_channels"), List.of("model", "preset"));
                throw loc.error(at, "resolution " + resolution + " must be a positive multiple of 2^(levels-1) = " + factor + model);
            }
            List<String> at = loc.pick(res, patch, List.of("model", "block_out_channels"), List.of("model", "preset"));
            throw loc.error(at, "resolution " + resolution + " must be a multiple of patch_size x 2^(levels-1) = " + p + " x "
                    + (factor / p) + " = " + factor + model + ": its " + p + "x" + p + " patches make a grid the model halves "
                    + (levels - 1) + " times");
        }
    }

    /**
     * A super-resolution stage: from a power-of-two fraction of the resolution, at least the smallest image
     * side; the augmentation range inside the schedule's timesteps.
     */
    private static void superResolution(SuperResolution sr, int resolution, int trainTimesteps, Locations loc) {
        if (!sr.enabled()) {
            return;
        }
        List<String> from = List.of("model", "super_resolution", "from");
        int f = sr.from();
        if (f < Limits.MIN_IMAGE_SIZE || f >= resolution || resolution % f != 0 || Integer.bitCount(resolution / f) != 1) {
            throw loc.error(loc.pick(from, List.of("resolution")), "from " + f + " must be the resolution (" + resolution
                    + ") over a power of two, at least " + Limits.MIN_IMAGE_SIZE + " (e.g. " + Math.max(Limits.MIN_IMAGE_SIZE, resolution / 2)
                    + ")");
        }
        if (sr.augmentationMax() < 1 || sr.augmentationMax() > trainTimesteps) {
            throw loc.error(List.of("model", "super_resolution", "augmentation_max"), "must be between 1 and diffusion.train_timesteps ("
                    + trainTimesteps + "), got " + sr.augmentationMax());
        }
    }

    private static void dataset(DatasetConfig d, Locations loc) {
        text(d.root(), List.of("dataset", "root"), loc);
        text(d.imageDir(), List.of("dataset", "image_dir"), loc);
        if (d.render().count() != null) {
            positive(d.render().count(), List.of("dataset", "render", "count"), loc);
        }
        optionalText(d.render().spec(), List.of("dataset", "render", "spec"), loc);
        List<String> files = List.of("dataset", "test_files");
        if (d.testFiles() == null || d.testFiles().isEmpty()) {
            throw loc.error(files, "give at least one condition file to evaluate (test, new_test, singles or a path)");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < d.testFiles().size(); i++) {
            List<String> at = List.of("dataset", "test_files", "[" + i + "]");
            String f = d.testFiles().get(i);
            text(f, at, loc);
            if (!seen.add(f)) {
                throw loc.error(at, "'" + f + "' is listed twice");
            }
        }
    }

    private static ModelConfig model(ModelConfig given, Locations loc) {
        List<String> preset = List.of("model", "preset");
        List<String> channels = List.of("model", "block_out_channels");
        List<String> attention = List.of("model", "attention_levels");
        List<String> layers = List.of("model", "layers_per_block");
        if (given.preset() == ModelPreset.CUSTOM) {
            if (given.blockOutChannels() == null || given.layersPerBlock() == null || given.attentionLevels() == null) {
                throw loc.error(preset, "preset 'custom' needs block_out_channels, layers_per_block and attention_levels");
            }
        }
        ModelConfig m = given.resolved();
        if (m.blockOutChannels().isEmpty()) {
            throw loc.error(channels, "give at least one level of channels, e.g. [32, 64, 128]");
        }
        if (m.blockOutChannels().size() > Limits.MAX_LEVELS) {
            throw loc.error(loc.pick(channels, preset), m.blockOutChannels().size() + " levels; the limit is " + Limits.MAX_LEVELS
                    + " (a " + Limits.MAX_IMAGE_SIZE + "-pixel image halves " + (Limits.MAX_LEVELS - 1) + " times)");
        }
        if (m.layersPerBlock() != null && m.layersPerBlock() > Limits.MAX_LAYERS_PER_BLOCK) {
            throw loc.error(loc.pick(layers, preset), "layers_per_block " + m.layersPerBlock() + ": the limit is "
                    + Limits.MAX_LAYERS_PER_BLOCK);
        }
        positive(m.attentionHeadDim(), List.of("model", "attention_head_dim"), loc);
        positive(m.normGroups(), List.of("model", "norm_groups"), loc);
        positive(m.numClasses(), List.of("model", "num_classes"), loc);
        positive(m.layersPerBlock(), loc.pick(layers, preset), loc);
        for (int i = 0; i < m.blockOutChannels().size(); i++) {
            int ch = m.blockOutChannels().get(i);
            List<String> at = loc.pick(List.of("model", "block_out_channels", "[" + i + "]"), channels, preset);
            if (ch <= 0) {
                throw loc.error(at, "channels must be > 0 (got " + ch + ")");
            }
            if (ch > Limits.MAX_CHANNELS) {
                throw loc.error(at, "channels " + ch + " at level " + (i + 1) + ": the limit is " + Limits.MAX_CHANNELS + " per level");
            }
            if (ch % m.normGroups() != 0) {
                throw loc.error(loc.pick(at, List.of("model", "norm_groups")), "channels " + ch + " at level " + (i + 1)
                        + " are not divisible by norm_groups " + m.normGroups() + " (GroupNorm needs that)");
            }
            if (m.attentionLevels().size() == m.blockOutChannels().size() && m.attentionLevels().get(i)
                    && ch % m.attentionHeadDim() != 0) {
                throw loc.error(loc.pick(List.of("model", "attention_head_dim"), at), "channels " + ch + " at attention level "
                        + (i + 1) + " are not divisible by attention_head_dim " + m.attentionHeadDim());
            }
        }
        if (m.attentionLevels().size() != m.blockOutChannels().size()) {
            throw loc.error(loc.pick(attention, channels, preset), "attention_levels has " + m.attentionLevels().size()
                    + " entries but block_out_channels has " + m.blockOutChannels().size() + " levels");
        }
        List<String> cross = List.of("model", "cross_attention_levels");
        if (m.crossAttentionLevels() != null) {
            if (m.conditioning() != Conditioning.CROSS_ATTENTION) {
                throw loc.error(cross, "only label tokens cross-attend: set model.conditioning: cross_attention"
                        + " (it is " + m.conditioning().id() + ")");
            }
            if (m.crossAttentionLevels().size() != m.blockOutChannels().size()) {
                throw loc.error(loc.pick(cross, channels, preset), "cross_attention_levels has " + m.crossAttentionLevels().size()
                        + " entries but block_out_channels has " + m.blockOutChannels().size() + " levels");
            }
            for (int i = 0; i < m.blockOutChannels().size(); i++) {
                int ch = m.blockOutChannels().get(i);
                if (m.crossAttentionLevels().get(i) && ch % m.attentionHeadDim() != 0) {
                    throw loc.error(loc.pick(List.of("model", "attention_head_dim"), cross), "channels " + ch
                            + " at cross-attention level " + (i + 1) + " are not divisible by attention_head_dim " + m.attentionHeadDim());
                }
            }
        }
        return m;
    }

    private static void diffusion(DiffusionConfig d, int resolution, Locations loc) {
        positive(d.trainTimesteps(), List.of("diffusion", "train_timesteps"), loc);
        if (d.trainTimesteps() > Limits.MAX_TRAIN_TIMESTEPS) {
            throw loc.error(List.of("diffusion", "train_timesteps"), "train_timesteps " + d.trainTimesteps() + ": the limit is "
                    + Limits.MAX_TRAIN_TIMESTEPS);
        }
        if (d.betaSchedule() != BetaSchedule.SQUAREDCOS_CAP_V2) {
            if (!(d.betaStart() > 0 && d.betaStart() < 1)) {
                throw loc.error(List.of("diffusion", "beta_start"), "must be in (0, 1) (got " + d.betaStart() + ")");
            }
            if (!(d.betaEnd() > d.betaStart() && d.betaEnd() < 1)) {
                throw loc.error(loc.pick(List.of("diffusion", "beta_end"), List.of("diffusion", "beta_start")),
                        "beta_end must be in (beta_start, 1) (got beta_start " + d.betaStart() + ", beta_end " + d.betaEnd() + ")");
            }
        }
        if (!(d.clipSampleRange() > 0)) {
            throw loc.error(List.of("diffusion", "clip_sample_range"), "must be > 0 (got " + d.clipSampleRange() + ")");
        }
        Integer base = d.snrShiftResolution();
        if (base != null) {
            List<String> shift = List.of("diffusion", "snr_shift_resolution");
            if (base <= 0 || base > MAX_RESOLUTION) {
                throw loc.error(shift, "must be between 1 and " + MAX_RESOLUTION + " pixels, or null for no shift (got " + base + ")");
            }
            try {
                NoiseSchedule.of(d.scheduler(resolution));
            } catch (InvalidInputException e) {
                throw loc.error(loc.pick(shift, List.of("resolution")), "snr_shift_resolution " + base + " at resolution " + resolution
                        + ": " + e.getMessage());
            }
        }
    }

    private static void training(TrainingConfig t, Locations loc) {
        positive(t.epochs(), List.of("training", "epochs"), loc);
        positive(t.batchSize(), List.of("training", "batch_size"), loc);
        if (!(t.lr() > 0) || Double.isInfinite(t.lr())) {
            throw loc.error(List.of("training", "lr"), "must be > 0 (got " + t.lr() + ")");
        }
        if (!(t.weightDecay() >= 0)) {
            throw loc.error(List.of("training", "weight_decay"), "must be >= 0 (got " + t.weightDecay() + ")");
        }
        nonNegative(t.warmupSteps(), List.of("training", "warmup_steps"), loc);
        if (t.gradClip() != null && !(t.gradClip() > 0)) {
            throw loc.error(List.of("training", "grad_clip"), "must be > 0, or null for no clipping (got " + t.gradClip() + ")");
        }
        if (!(t.ema().decay() > 0 && t.ema().decay() < 1)) {
            throw loc.error(List.of("training", "ema", "decay"), "must be in (0, 1) (got " + t.ema().decay() + ")");
        }
        nonNegative(t.ema().warmupSteps(), List.of("training", "ema", "warmup_steps"), loc);
        if (!(t.condDropout() >= 0 && t.condDropout() <= 1)) {
            throw loc.error(List.of("training", "cond_dropout"), "must be in [0, 1] (got " + t.condDropout() + ")");
        }
        positive(t.checkpointEvery(), List.of("training", "checkpoint_every"), loc);
        positive(t.evaluateEvery(), List.of("training", "evaluate_every"), loc);
        if (t.evaluateEvery() % t.checkpointEvery() != 0) {
            throw loc.error(loc.pick(List.of("training", "evaluate_every"), List.of("training", "checkpoint_every")),
                    "evaluate_every (" + t.evaluateEvery() + ") must be a multiple of checkpoint_every ("
                            + t.checkpointEvery() + "): each evaluation scores a checkpoint");
        }
        if (!TrainingConfig.isDevice(t.device())) {
            throw loc.error(List.of("training", "device"), "invalid device '" + t.device() + "' (valid: auto, cpu, gpu, gpu:N)");
        }
        if (t.limitImages() != null) {
            positive(t.limitImages(), List.of("training", "limit_images"), loc);
        }
        if (!(t.minSnrGamma() > 0) || Double.isInfinite(t.minSnrGamma())) {
            throw loc.error(List.of("training", "min_snr_gamma"), "must be > 0 (got " + t.minSnrGamma() + ")");
        }
        if (!Double.isFinite(t.logitMean())) {
            throw loc.error(List.of("training", "logit_mean"), "must be a finite number (got " + t.logitMean() + ")");
        }
        if (!(t.logitStd() > 0) || Double.isInfinite(t.logitStd())) {
            throw loc.error(List.of("training", "logit_std"), "must be > 0 (got " + t.logitStd() + ")");
        }
    }

    private static void sampling(SamplingConfig s, DiffusionConfig d, SuperResolution sr, int resolution, Locations loc) {
        if (sr.enabled() && (s.base() == null || s.base().isBlank())) {
            throw loc.error(loc.pick(List.of("sampling", "base"), List.of("model", "super_resolution", "from")),
                    "a super-resolution stage (model.super_resolution.from " + sr.from() + ") draws from a base model's " + sr.from() + "x"
                            + sr.from() + " images: set sampling.base to it (a checkpoint, a model package folder, a shipped model's name"
                            + " such as iclevr32, or models:/NAME/VERSION)");
        }
        if (!sr.enabled() && s.base() != null) {
            throw loc.error(List.of("sampling", "base"), "is for a cascade's super-resolution stage only (model.super_resolution.from is"
                    + " not set, so this " + resolution + "x" + resolution + " model draws its images itself)");
        }
        if (s.base() != null && (s.base().length() > 4096 || s.base().indexOf('\0') >= 0)) {
            throw loc.error(List.of("sampling", "base"), "not a usable model reference (over 4096 characters, or a NUL)");
        }
        if (s.augmentation() < 0 || s.augmentation() >= d.trainTimesteps()) {
            throw loc.error(List.of("sampling", "augmentation"), "must be a timestep in [0, diffusion.train_timesteps = "
                    + d.trainTimesteps() + ") (got " + s.augmentation() + ")");
        }
        if (!sr.enabled() && s.augmentation() != 0) {
            throw loc.error(List.of("sampling", "augmentation"), "is for a cascade's super-resolution stage only (model.super_resolution.from"
                    + " is not set)");
        }
        positive(s.steps(), List.of("sampling", "steps"), loc);
        int max = s.sampler().maxSteps(d.trainTimesteps());
        if (s.sampler().takesSteps() && s.steps() > max) {
            throw loc.error(loc.pick(List.of("sampling", "steps"), List.of("diffusion", "train_timesteps")), s.sampler().name() + " steps ("
                    + s.steps() + ") cannot exceed " + (max == d.trainTimesteps() ? "diffusion.train_timesteps (" + max + ")"
                            : max + " with diffusion.train_timesteps " + d.trainTimesteps()));
        }
        if (!(s.eta() >= 0 && s.eta() <= 1)) {
            throw loc.error(List.of("sampling", "eta"), "must be in [0, 1] (got " + s.eta() + ")");
        }
        if (!(s.guidance() >= 0) || Double.isInfinite(s.guidance())) {
            throw loc.error(List.of("sampling", "guidance"), "must be >= 0 (got " + s.guidance() + ")");
        }
        if (!(s.objectGuidance() >= 0) || Double.isInfinite(s.objectGuidance())) {
            throw loc.error(List.of("sampling", "object_guidance"), "must be >= 0 (got " + s.objectGuidance() + ")");
        }
    }

    private static void cron(String cron, List<String> at, Locations loc) {
        if (cron != null && !CronExpression.isValidExpression(cron)) {
            throw loc.error(at, "invalid Quartz cron '" + cron + "' (six or seven fields, seconds first, e.g. \"0 0 2 * * ?\")");
        }
    }

    private static void positive(long v, List<String> at, Locations loc) {
        if (v <= 0) {
            throw loc.error(at, "must be > 0 (got " + v + ")");
        }
    }

    private static void nonNegative(long v, List<String> at, Locations loc) {
        if (v < 0) {
            throw loc.error(at, "must be >= 0 (got " + v + ")");
        }
    }

    private static void text(String s, List<String> at, Locations loc) {
        if (s == null || s.isBlank()) {
            throw loc.error(at, "must not be empty");
        }
        printable(s, at, loc);
    }

    private static void optionalText(String s, List<String> at, Locations loc) {
        if (s != null && s.isBlank()) {
            throw loc.error(at, "must not be empty (use null for the default)");
        }
        if (s != null) {
            printable(s, at, loc);
        }
    }

    /** Names, paths and addresses hold no control characters: a NUL cannot be in a path, a newline would split a log line. */
    private static void printable(String s, List<String> at, Locations loc) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw loc.error(at, "'" + s.replaceAll("\\p{Cntrl}", "?") + "' holds a control character (U+"
                        + String.format("%04X", (int) s.charAt(i)) + ") at position " + i);
            }
        }
    }
}
