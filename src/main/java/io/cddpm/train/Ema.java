package io.cddpm.train;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.cddpm.config.EmaConfig;
import io.cddpm.model.GradMode;
import io.cddpm.model.TorchKernels;
import java.util.LinkedHashMap;
import java.util.Map;

/** An exponential moving average of the weights (shadow = d shadow + (1 - d) weights), with diffusers' warm-up of d. */
public final class Ema {
    private final EmaConfig config;
    private final Map<String, NDArray> shadow = new LinkedHashMap<>();

    public Ema(EmaConfig config) {
        this.config = config;
    }

    /** Copies of the weights, detached from autograd (plain leaves, on any thread: see {@link GradMode}). */
    public void init(Map<String, NDArray> params, NDManager manager) {
        try (TorchKernels.Region noGrad = GradMode.off()) {
            params.forEach((name, p) -> {
                NDArray copy = p.duplicate();
                copy.attach(manager);
                shadow.put(name, copy);
            });
        }
    }

    /** Moves the shadow towards the weights after optimisation step {@code step} (1-based). */
    public void update(Map<String, NDArray> params, long step) {
        double d = config.decayAt(step);
        // under torch.no_grad(), as every EMA: with grad mode on (any thread but DJL's first) each in-place update
        // would hang the shadow on an autograd graph through the weights, one link per step, kept for the whole run
        try (TorchKernels.Region noGrad = GradMode.off()) {
            for (Map.Entry<String, NDArray> e : shadow.entrySet()) {
                NDArray s = e.getValue();
                NDArray p = params.get(e.getKey());
                // s = d s + (1 - d) p  ==  s - (1 - d)(s - p)
                try (NDArray diff = s.sub(p)) {
                    s.subi(diff.muli(1 - d));
                }
            }
        }
    }

    public Map<String, NDArray> weights() {
        return shadow;
    }

    public void load(Map<String, NDArray> state) {
        for (Map.Entry<String, NDArray> e : shadow.entrySet()) {
            NDArray s = state.get(e.getKey());
            if (s == null) {
                throw new IllegalArgumentException("EMA state lacks " + e.getKey());
            }
            Tensors.copyInto(e.getValue(), s);
        }
    }
}
