package io.cddpm.optim;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, as torch.optim.AdamW) over named parameters, using libtorch's
 * fused Adam update through DJL. Unlike DJL's own optimizer, its moment estimates are plain named
 * arrays, so a checkpoint can save and restore them exactly.
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW(double weightDecay) {
        this(0.9, 0.999, 1e-8, weightDecay);
    }

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** Creates zero moment estimates for each parameter in {@code manager} (long-lived). */
    public void init(Map<String, NDArray> params, NDManager manager) {
        params.forEach((name, p) -> {
            m.put(name, manager.zeros(p.getShape(), p.getDataType(), p.getDevice()));
            v.put(name, manager.zeros(p.getShape(), p.getDataType(), p.getDevice()));
        });
    }

    /**
     * One update of every parameter from its gradient.
     *
     * @param gradScale multiplies the gradients first (gradient-norm clipping)
     */
    public void update(Map<String, NDArray> params, Map<String, NDArray> grads, double lr, double gradScale) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        float lrCorrected = (float) (lr * Math.sqrt(bc2) / bc1);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            NDArray g = grads.get(e.getKey());
            w.getNDArrayInternal().adamUpdate(
                    new NDList(w, g, m.get(e.getKey()), v.get(e.getKey())),
                    new NDList(w),
                    (float) lr, lrCorrected, (float) weightDecay, (float) gradScale, -1f,
                    (float) beta1, (float) beta2, (float) eps, true, true);
        }
    }

    public long step() {
        return step;
    }

    /** The state to checkpoint: "m.NAME", "v.NAME" arrays. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put("m." + k, a));
        v.forEach((k, a) -> out.put("v." + k, a));
        return out;
    }

    /** Restores moments and the step count from a checkpoint. */
    public void load(Map<String, NDArray> state, long stepCount) {
        for (String name : m.keySet()) {
            NDArray sm = state.get("m." + name);
            NDArray sv = state.get("v." + name);
            if (sm == null || sv == null) {
                throw new IllegalArgumentException("optimizer state lacks moments of " + name);
            }
            Tensors.copyInto(m.get(name), sm);
            Tensors.copyInto(v.get(name), sv);
        }
        this.step = stepCount;
    }
}
