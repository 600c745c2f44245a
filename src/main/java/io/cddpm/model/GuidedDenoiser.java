package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.diffusion.Denoiser;

/**
 * Classifier-free guidance around the conditional UNet: out = out_uncond + w (out_cond - out_uncond),
 * the unconditional half using the null condition (all zeros); both halves run as one batched
 * forward pass. With w = 1 it is a single conditional pass.
 */
public final class GuidedDenoiser implements Denoiser {
    private final ConditionalUNet unet;
    private final ParameterStore ps;
    private final NDArray labels;
    private final double guidance;

    /** @param labels (B, numClasses) multi-hot conditions */
    public GuidedDenoiser(ConditionalUNet unet, ParameterStore ps, NDArray labels, double guidance) {
        this.unet = unet;
        this.ps = ps;
        this.labels = labels;
        this.guidance = guidance;
    }

    @Override
    public NDArray predict(NDArray sample, int timestep) {
        NDManager m = sample.getManager();
        long b = sample.getShape().get(0);
        if (guidance == 1.0) {
            NDArray t = m.full(new Shape(b), (float) timestep);
            return unet.predict(ps, sample, t, labels, /* training= */ false);
        }
        NDArray both = sample.concat(sample, 0);
        NDArray conditions = labels.concat(m.zeros(labels.getShape(), labels.getDataType()), 0);
        NDArray t = m.full(new Shape(2 * b), (float) timestep);
        NDArray out = unet.predict(ps, both, t, conditions, /* training= */ false);
        NDArray cond = out.get("0:" + b);
        NDArray uncond = out.get(b + ":");
        return uncond.add(cond.sub(uncond).mul(guidance));
    }
}
