package io.cddpm.train;

import io.cddpm.core.Tensors;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SuperResolution;
import io.cddpm.config.TrainingConfig;
import io.cddpm.diffusion.ForwardProcess;
import io.cddpm.diffusion.LossWeighting;
import io.cddpm.diffusion.LowResolutionCondition;
import io.cddpm.diffusion.NoiseSchedule;
import io.cddpm.diffusion.SamplingLoop;
import io.cddpm.diffusion.SchedulerConfig;
import io.cddpm.model.ConditionalUNet;
import io.cddpm.optim.AdamW;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One optimisation step of the denoising objective: draw timesteps (uniform or logit-normal), noise
 * and the condition-dropout mask from (seed, step); noise the batch; MSE between the UNet's output
 * and the prediction type's target; backward; clip the gradient norm; AdamW; EMA. Arrays live in the
 * caller's step scope.
 */
public final class TrainStep {
    private final TrainingConfig training;
    private final ExperimentConfig config;
    private final ConditionalUNet unet;
    private final Map<String, NDArray> params;
    private final AdamW adam;
    private final Ema ema;
    private final ParameterStore ps;
    private final NoiseSchedule schedule;
    private final ForwardProcess forward;
    private final int timesteps;
    /** The condition image of a super-resolution stage, or null for a plain model. */
    private final LowResolutionCondition lowResolution;

    public TrainStep(ExperimentConfig config, ConditionalUNet unet, Map<String, NDArray> params, AdamW adam, Ema ema, ParameterStore ps) {
        this.config = config;
        this.training = config.training();
        this.unet = unet;
        this.params = params;
        this.adam = adam;
        this.ema = ema;
        this.ps = ps;
        SchedulerConfig sc = config.diffusion().scheduler(config.resolution());
        this.schedule = NoiseSchedule.of(sc);
        this.forward = new ForwardProcess(schedule);
        this.timesteps = sc.numTrainTimesteps();
        this.lowResolution = config.model().superResolution().enabled() ? new LowResolutionCondition(schedule) : null;
    }

    /** Runs step {@code step} (0-based) on a batch at learning rate {@code lr}; returns the loss. */
    public double run(NDManager scope, NDArray x0, NDArray labels, long step, double lr) {
        int b = (int) x0.getShape().get(0);
        SplittableRandom random = new SplittableRandom(SamplingLoop.mix(training.seed(), step));
        int[] ts = new int[b];
        float[] tf = new float[b];
        float[] keep = new float[b];
        for (int i = 0; i < b; i++) {
            ts[i] = training.timestepSampling().draw(random, timesteps, training.logitMean(), training.logitStd());
            tf[i] = ts[i];
            keep[i] = random.nextDouble() < training.condDropout() ? 0f : 1f;
        }
        NDArray noise = SamplingLoop.gaussian(scope, x0.getShape(), random);
        NDArray xt = forward.addNoise(x0, noise, ts);
        NDArray target = forward.target(config.diffusion().predictionType(), x0, noise, ts);
        NDArray dropped = labels.mul(Tensors.owned(scope, keep, new Shape(b, 1)));
        NDArray tArray = Tensors.owned(scope, tf);
        NDArray weights = null;
        if (training.lossWeighting() != LossWeighting.NONE) {
            float[] w = new float[b];
            for (int i = 0; i < b; i++) {
                w[i] = (float) training.lossWeighting().weight(schedule.alphaBar(ts[i]), config.diffusion().predictionType(),
                        training.minSnrGamma());
            }
            weights = Tensors.owned(scope, w);
        }
        // a super-resolution stage's condition image: the batch pooled to the low resolution, upsampled and noised to a
        // level drawn per image (drawn after everything above, so a plain model's random stream is what it was)
        NDArray condition = null;
        NDArray levels = null;
        if (lowResolution != null) {
            SuperResolution sr = config.model().superResolution();
            int[] s = new int[b];
            float[] sf = new float[b];
            for (int i = 0; i < b; i++) {
                s[i] = random.nextInt(sr.augmentationMax());
                sf[i] = s[i];
            }
            NDArray low = LowResolutionCondition.downsample(x0, config.resolution() / sr.from());
            condition = lowResolution.condition(low, config.resolution(), s, SamplingLoop.gaussian(scope, x0.getShape(), random));
            levels = Tensors.owned(scope, sf);
        }
        double lossValue;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray pred = condition == null ? unet.predict(ps, xt, tArray, dropped, /* training= */ true)
                    : unet.predict(ps, xt, tArray, dropped, condition, levels, true);
            NDArray squared = pred.sub(target).square();
            // per-sample MSE (DJL's PyTorch mean reduces one axis at a time, so flatten first), then weighted
            NDArray loss = weights == null ? squared.mean() : squared.reshape(b, -1).mean(new int[] {1}).mul(weights).mean();
            gc.backward(loss);
            lossValue = loss.getFloat();
        }
        Map<String, NDArray> grads = new LinkedHashMap<>();
        NDArray sumSquares = scope.zeros(new Shape());
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(scope);
            grads.put(e.getKey(), g);
            sumSquares = sumSquares.add(g.square().sum());
        }
        double scale = 1.0;
        if (training.gradClip() != null) {
            double norm = Math.sqrt(sumSquares.getFloat());
            if (norm > training.gradClip()) {
                scale = training.gradClip() / (norm + 1e-6);
            }
        }
        adam.update(params, grads, lr, scale);
        for (NDArray g : grads.values()) {
            g.muli(0);
        }
        if (training.ema().enabled()) {
            ema.update(params, step + 1);
        }
        return lossValue;
    }
}
