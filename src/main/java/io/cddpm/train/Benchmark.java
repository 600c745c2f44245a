package io.cddpm.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.ModelPreset;
import io.cddpm.config.Precision;
import io.cddpm.core.Engines;
import io.cddpm.diffusion.SamplingLoop;
import io.cddpm.model.ConditionalUNet;
import io.cddpm.model.NamedParameters;
import io.cddpm.model.TorchKernels;
import io.cddpm.model.UNetSpec;
import io.cddpm.model.UNets;
import io.cddpm.optim.AdamW;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures training and sampling throughput of an architecture on synthetic data: full training
 * steps (forward, backward, AdamW, EMA) after warm-up, and sampler model evaluations (forward only),
 * in fp32 or bf16 mixed precision, with the native kernels or DJL's own operators (CDDPM_KERNELS=djl).
 * A cascade's super-resolution stage is measured with its condition image (one stage, not the base).
 */
public final class Benchmark {
    /** The figures, printed as one JSON line by {@code cddpm bench}. */
    public record Result(String arch, int resolution, int batch, long parameters, String device, int threads,
            String precision, String kernels, double trainImagesPerSecond, double samplingEvaluationsPerSecond,
            long peakRssMib) {}

    private Benchmark() {}

    /** A named preset at its resolution (64 for lab64, else 32) and batch 64, everything else the defaults (fp32). */
    public static ExperimentConfig presetConfig(ModelPreset preset) {
        int resolution = preset == ModelPreset.LAB64 ? 64 : 32;
        return ConfigLoader.override(ExperimentConfig.defaults(), List.of(
                "model.preset=" + preset.id(), "resolution=" + resolution, "training.batch_size=64"));
    }

    /**
     * An experiment's own network: its model (preset or custom widths), resolution, batch size,
     * prediction type and loss weighting, at the given precision; {@code label} names it in the result.
     */
    public static Result run(String label, ExperimentConfig config, Precision precision, int iters, int warmup) {
        int resolution = config.resolution();
        int batch = config.training().batchSize();
        Engines.pytorch();
        try (NDManager root = NDManager.newBaseManager(Engines.device(config.training().device()))) {
            ConditionalUNet unet = UNets.create(UNetSpec.of(config.model(), resolution), root, 0)
                    .usePrecision(precision, "--precision");
            Map<String, NDArray> params = NamedParameters.arrays(unet);
            AdamW adam = new AdamW(0.01);
            adam.init(params, root);
            Ema ema = new Ema(config.training().ema());
            ema.init(params, root);
            ParameterStore ps = new ParameterStore(root, false);
            TrainStep step = new TrainStep(config, unet, params, adam, ema, ps);
            Shape shape = new Shape(batch, 3, resolution, resolution);
            double trainSeconds = 0;
            for (int i = 0; i < warmup + iters; i++) {
                try (NDManager scope = root.newSubManager()) {
                    SplittableRandom r = new SplittableRandom(i);
                    NDArray x = SamplingLoop.gaussian(scope, shape, r).clip(-1, 1);
                    NDArray y = scope.zeros(new Shape(batch, 24)).add(scope.randomUniform(0, 1, new Shape(batch, 24)).gt(0.9));
                    long t0 = System.nanoTime();
                    step.run(scope, x, y, i, 1e-4);
                    if (i >= warmup) {
                        trainSeconds += (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
            double sampleSeconds = 0;
            boolean superResolution = config.model().superResolution().enabled();
            for (int i = 0; i < warmup + iters; i++) {
                try (NDManager scope = root.newSubManager()) {
                    NDArray x = SamplingLoop.gaussian(scope, shape, new SplittableRandom(i));
                    NDArray t = scope.full(new Shape(batch), 500f);
                    NDArray y = scope.zeros(new Shape(batch, 24));
                    long t0 = System.nanoTime();
                    NDArray out = superResolution
                            // a cascade's stage also reads its upsampled, noised condition image and its noise level
                            ? unet.predict(ps, x, t, y, SamplingLoop.gaussian(scope, shape, new SplittableRandom(-1 - i)),
                                    scope.full(new Shape(batch), 50f), /* training= */ false)
                            : unet.predict(ps, x, t, y, /* training= */ false);
                    out.getFloat(0, 0, 0, 0);
                    if (i >= warmup) {
                        sampleSeconds += (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
            return new Result(label, resolution, batch, UNets.parameterCount(unet), root.getDevice().toString(),
                    Engine.getInstance().getEngineName().equals("PyTorch") ? Runtime.getRuntime().availableProcessors() : 0,
                    precision.id(), TorchKernels.implementation(),
                    batch * iters / trainSeconds, batch * iters / sampleSeconds, Memory.peakResidentBytes() >> 20);
        }
    }
}
