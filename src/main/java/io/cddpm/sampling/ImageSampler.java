package io.cddpm.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.Precision;
import io.cddpm.config.SamplingConfig;
import io.cddpm.core.Engines;
import io.cddpm.core.ProgressBars;
import io.cddpm.core.InvalidInputException;
import io.cddpm.diffusion.LowResolutionCondition;
import io.cddpm.diffusion.NoiseSchedule;
import io.cddpm.diffusion.SamplingLoop;
import io.cddpm.diffusion.Scheduler;
import io.cddpm.model.Batches;
import io.cddpm.model.ConditionalUNet;
import io.cddpm.model.GuidedDenoiser;
import io.cddpm.model.NamedParameters;
import io.cddpm.model.TorchKernels;
import io.cddpm.model.UNetSpec;
import io.cddpm.model.UNets;
import io.cddpm.runs.Checkpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates images for label conditions from a checkpoint (EMA weights by default), with any
 * registered sampler (DDPM, DDIM, DPM-Solver++) and classifier-free guidance, in batches; optionally
 * keeps intermediate images of the first condition for the progressive-generation picture.
 */
public final class ImageSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImageSampler.class);
    private final ExperimentConfig config;
    private final NDManager manager;
    private final ConditionalUNet unet;
    private final ModelLocator locator;
    /** A super-resolution stage's base models, by the reference that named them, loaded on first use. */
    private final Map<String, ImageSampler> bases = new LinkedHashMap<>();
    /** The seed stream of the augmentation noise added to a base model's images (apart from the stage's own noise). */
    static final long AUGMENTATION_STREAM = 0x5eed_a06L;

    /** About this many intermediate frames make a progressive strip (plus the final image). */
    public static final int PROGRESSIVE_FRAMES = 9;

    /** The keepEvery for {@link #sample} that gives a progressive strip of about {@link #PROGRESSIVE_FRAMES} frames over totalSteps. */
    public static int progressiveInterval(int totalSteps) {
        return Math.max(1, Math.round(totalSteps / (float) PROGRESSIVE_FRAMES));
    }

    /** What sampling produced: images (N, 3, H, W) in [-1, 1] and the chosen intermediates of image 0. */
    public record Samples(NDArray images, List<NDArray> intermediates, List<Integer> intermediateSteps) {}

    private ImageSampler(ExperimentConfig config, NDManager manager, ConditionalUNet unet, ModelLocator locator) {
        this.config = config;
        this.manager = manager;
        this.unet = unet;
        this.locator = locator;
    }

    /** Loads a checkpoint's EMA (or raw) weights into a fresh UNet in its own manager; a cascade's base is a path. */
    public static ImageSampler fromCheckpoint(Path checkpoint, boolean useEma) {
        return fromCheckpoint(checkpoint, useEma, ModelLocator.FILES);
    }

    /**
     * Loads a checkpoint's EMA (or raw) weights into a fresh UNet in its own manager. For a cascade's
     * super-resolution stage, locator finds the base model a sampling setting names (sampling.base).
     */
    public static ImageSampler fromCheckpoint(Path checkpoint, boolean useEma, ModelLocator locator) {
        Engines.pytorch();
        NDManager manager = NDManager.newBaseManager();
        try (NDManager loading = manager.newSubManager()) {
            Checkpoint c = Checkpoint.read(checkpoint, loading);
            ConditionalUNet unet = UNets.create(UNetSpec.of(c.config().model(), c.config().resolution()), manager, 0);
            unet.usePrecision(samplingPrecision(c.config().training().precision(), checkpoint), "training.precision");
            boolean ema = useEma && c.config().training().ema().enabled();
            Checkpoint.copyInto(ema ? c.ema() : c.model(), NamedParameters.arrays(unet), checkpoint + (ema ? " (ema)" : " (model)"));
            return new ImageSampler(c.config(), manager, unet, locator);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Samples in the precision the model was trained in; a bf16 model samples in fp32 where the
     * native kernels are missing (its weights are fp32 master weights, so nothing is lost but speed).
     */
    private static Precision samplingPrecision(Precision trained, Path checkpoint) {
        if (trained == Precision.BF16 && !TorchKernels.available()) {
            LOG.info("{} was trained in bf16; sampling in fp32 ({})", checkpoint, TorchKernels.unavailableReason());
            return Precision.FP32;
        }
        return trained;
    }

    public ExperimentConfig config() {
        return config;
    }

    /** How many denoising steps these sampler settings take on this model's schedule. */
    public int denoisingSteps(SamplingConfig sampling) {
        return scheduler(sampling).timesteps().length;
    }

    /** The progressive-strip interval for this model's schedule with these sampler settings. */
    public int progressiveInterval(SamplingConfig sampling) {
        return progressiveInterval(denoisingSteps(sampling));
    }

    /** The scheduler a sampling config selects for this model's diffusion settings. */
    public Scheduler scheduler(SamplingConfig sampling) {
        return sampling.sampler().scheduler(config.diffusion().scheduler(config.resolution()), sampling.steps(), sampling.eta());
    }

    /**
     * Samples one image per condition row, {@code batchSize} at a time; the result lives in {@code out}.
     *
     * @param keepEvery keep image 0's intermediate every this many steps (0 = none); the final image is always last
     */
    public Samples sample(float[][] conditions, SamplingConfig sampling, int batchSize, int keepEvery, NDManager out) {
        long batches = (conditions.length + batchSize - 1) / batchSize;
        try (ProgressBar bar = ProgressBars.of("sampling " + conditions.length + " images", batches * denoisingSteps(sampling), "step")) {
            return sample(conditions, sampling, batchSize, keepEvery, out, bar);
        }
    }

    /** {@link #sample(float[][], SamplingConfig, int, int, NDManager)}, one step of the bar per denoising step of a batch. */
    private Samples sample(float[][] conditions, SamplingConfig sampling, int batchSize, int keepEvery, NDManager out, ProgressBar bar) {
        Scheduler scheduler = scheduler(sampling);
        int r = config.resolution();
        int n = conditions.length;
        // a cascade's super-resolution stage: the base model draws every image first, then this stage draws it again at its
        // resolution, reading the base's image upsampled and noised to the sampling augmentation level
        NDArray low = null;
        LowResolutionCondition lowResolution = null;
        try (NDManager lowImages = manager.newSubManager()) {
            if (config.model().superResolution().enabled()) {
                ImageSampler base = base(sampling);
                LOG.info("cascade: {} draws the {}x{} images first ({})", sampling.base(), base.config.resolution(), base.config.resolution(),
                        base.config.sampling().withSeed(sampling.seed()).describe(base.denoisingSteps(base.config.sampling())));
                low = base.sample(conditions, base.config.sampling().withSeed(sampling.seed()), batchSize, 0, lowImages).images();
                lowResolution = new LowResolutionCondition(NoiseSchedule.of(config.diffusion().scheduler(r)));
            }
            return stage(conditions, sampling, batchSize, keepEvery, out, bar, scheduler, r, n, low, lowResolution);
        }
    }

    /** The base model a super-resolution stage's setting names, loaded once and checked against the stage. */
    private ImageSampler base(SamplingConfig sampling) {
        if (!sampling.cascaded()) {
            throw new InvalidInputException("this model is a super-resolution stage (model.super_resolution.from "
                    + config.model().superResolution().from() + "): sampling.base (or --base) must name the base model that draws its "
                    + config.model().superResolution().from() + "x" + config.model().superResolution().from() + " images");
        }
        ImageSampler base = bases.get(sampling.base());
        if (base == null) {
            Path where = locator.locate(sampling.base());
            base = fromCheckpoint(where, true, locator);
            int from = config.model().superResolution().from();
            if (base.config.resolution() != from) {
                base.close();
                throw new InvalidInputException("sampling.base " + sampling.base() + " draws " + base.config.resolution() + "x"
                        + base.config.resolution() + " images; this super-resolution stage reads " + from + "x" + from
                        + " ones (model.super_resolution.from)");
            }
            bases.put(sampling.base(), base);
        }
        return base;
    }

    private Samples stage(float[][] conditions, SamplingConfig sampling, int batchSize, int keepEvery, NDManager out, ProgressBar bar,
            Scheduler scheduler, int r, int n, NDArray low, LowResolutionCondition lowResolution) {
        List<NDArray> batches = new ArrayList<>();
        List<NDArray> intermediates = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        ParameterStore ps = new ParameterStore(manager, false);
        int total = scheduler.timesteps().length;
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start);
            float[][] labels = Arrays.copyOfRange(conditions, start, start + b);
            boolean first = start == 0;
            try (NDManager scope = manager.newSubManager()) {
                GuidedDenoiser denoiser = new GuidedDenoiser(unet, ps, labels, sampling.guidance(), sampling.objectGuidance(), scope);
                if (low != null) {
                    int[] levels = new int[b];
                    Arrays.fill(levels, sampling.augmentation());
                    NDArray noise = SamplingLoop.gaussian(scope, new Shape(b, 3, r, r),
                            new java.util.SplittableRandom(SamplingLoop.mix(sampling.seed() ^ AUGMENTATION_STREAM, start)));
                    NDArray image = lowResolution.condition(low.get(start + ":" + (start + b)), r, levels, noise);
                    denoiser.withConditionImage(image, sampling.augmentation());
                }
                SamplingLoop.StepListener onStep = (index, t, sample) -> {
                    bar.step();
                    if (first && keepEvery > 0 && index % keepEvery == 0 && index != total - 1) {
                        NDArray copy = sample.get("0:1").duplicate();
                        copy.attach(out);
                        intermediates.add(copy);
                        steps.add(t);
                    }
                };
                NDArray images = new SamplingLoop(scheduler).run(scope, new Shape(b, 3, r, r), denoiser,
                        SamplingLoop.mix(sampling.seed(), start), onStep);
                images.attach(out);
                batches.add(images);
                if (first && keepEvery > 0) {
                    NDArray last = images.get("0:1").duplicate();
                    last.attach(out);
                    intermediates.add(last);
                    steps.add(0);
                }
            }
        }
        NDArray all = batches.size() == 1 ? batches.get(0) : Batches.concat(batches);
        return new Samples(all.clip(-1, 1), intermediates, steps);
    }

    @Override
    public void close() {
        bases.values().forEach(ImageSampler::close);
        bases.clear();
        manager.close();
    }
}
