package io.cddpm.model;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.cddpm.diffusion.Denoiser;
import java.util.ArrayList;
import java.util.List;

/**
 * Guidance around the conditional UNet for one batch of label sets:
 *
 * <pre>out = u + w (c - u) + v * sum_i (c - c_{-i})</pre>
 *
 * with {@code c} the prediction for the full label set, {@code u} for the null condition (all
 * zeros) and {@code c_{-i}} for the same set without its i-th label (for a one-label set that is the
 * null condition again). {@code w} is classifier-free guidance; {@code v}, per-object guidance, steers
 * each object against the same scene without it: an implicit classifier for "label i is drawn, given
 * the others" (the per-concept sum of Composable Diffusion, with the rest of the set instead of the
 * null condition as the reference), so an object that the conditional prediction leaves out or merges
 * into another is pushed back in. Every leave-one-out set is a set the model trains on (a subset of a
 * scene), not a new kind of input. All rows run as one batched forward pass: B rows when w = 1 and
 * v = 0, 2B when w != 1, plus one row per label when v > 0.
 */
public final class GuidedDenoiser implements Denoiser {
    private final ConditionalUNet unet;
    private final ParameterStore ps;
    private final double guidance;
    private final double objectGuidance;
    private final int batch;
    /** Every condition row of the forward pass: the sets, then the null sets, then the leave-one-out sets. */
    private final NDArray conditions;
    /** For each condition row, the sample row it denoises (int64). */
    private final NDArray sampleRows;
    /** (B, L) 0/1: which leave-one-out rows belong to which set (null when v = 0). */
    private final NDArray owners;
    /** (B, 1, 1, 1) the number of labels of each set: the rows of {@link #owners} summed (null when v = 0). */
    private final NDArray counts;
    /** A super-resolution stage's condition image (batch, c, H, W) and its augmentation level, or null. */
    private NDArray conditionImage;
    private float augmentationLevel;

    /**
     * @param labels (B, numClasses) multi-hot conditions, one row per image
     * @param guidance classifier-free guidance weight w (1 = plain conditional)
     * @param objectGuidance per-object guidance weight v (0 = off)
     * @param manager where the condition rows live (the sampling loop's scope)
     */
    public GuidedDenoiser(ConditionalUNet unet, ParameterStore ps, float[][] labels, double guidance, double objectGuidance,
            NDManager manager) {
        if (labels.length == 0) {
            throw new IllegalArgumentException("no conditions");
        }
        this.unet = unet;
        this.ps = ps;
        this.guidance = guidance;
        this.objectGuidance = objectGuidance;
        this.batch = labels.length;
        int classes = labels[0].length;
        boolean withNull = guidance != 1.0;
        List<float[]> rows = new ArrayList<>(List.of(labels));
        List<Long> sources = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            sources.add((long) b);
        }
        if (withNull) {
            for (int b = 0; b < batch; b++) {
                rows.add(new float[classes]);
                sources.add((long) b);
            }
        }
        List<Integer> owner = new ArrayList<>();
        if (objectGuidance != 0.0) {
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < classes; i++) {
                    if (labels[b][i] != 0) {
                        float[] without = labels[b].clone();
                        without[i] = 0;
                        rows.add(without);
                        sources.add((long) b);
                        owner.add(b);
                    }
                }
            }
        }
        float[] flat = new float[rows.size() * classes];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, flat, r * classes, classes);
        }
        this.conditions = Tensors.owned(manager, flat, new Shape(rows.size(), classes));
        this.sampleRows = Tensors.owned(manager, sources.stream().mapToLong(Long::longValue).toArray());
        if (!owner.isEmpty()) {
            float[] g = new float[batch * owner.size()];
            for (int l = 0; l < owner.size(); l++) {
                g[owner.get(l) * owner.size() + l] = 1;
            }
            this.owners = Tensors.owned(manager, g, new Shape(batch, owner.size()));
            this.counts = owners.sum(new int[] {1}).reshape(batch, 1, 1, 1);
        } else {
            this.owners = null;
            this.counts = null;
        }
    }

    /**
     * For a cascade's super-resolution stage: every row of a step reads the condition image of the sample
     * it belongs to (batch, c, H, W; the guidance rows share their sample's), noised to {@code level}.
     */
    public GuidedDenoiser withConditionImage(NDArray image, int level) {
        if (image.getShape().get(0) != batch) {
            throw new IllegalArgumentException(image.getShape() + ": one condition image per sample (" + batch + ")");
        }
        this.conditionImage = image;
        this.augmentationLevel = level;
        return this;
    }

    /** Condition rows per denoising step: the forward pass's batch for B images. */
    public long rowsPerStep() {
        return conditions.getShape().get(0);
    }

    @Override
    public NDArray predict(NDArray sample, int timestep) {
        NDManager m = sample.getManager();
        long rows = rowsPerStep();
        NDArray input = rows == batch ? sample : sample.get(sampleRows);
        NDArray t = m.full(new Shape(rows), (float) timestep);
        NDArray out;
        if (conditionImage == null) {
            out = unet.predict(ps, input, t, conditions, /* training= */ false);
        } else {
            NDArray image = rows == batch ? conditionImage : conditionImage.get(sampleRows);
            out = unet.predict(ps, input, t, conditions, image, m.full(new Shape(rows), augmentationLevel), false);
        }
        if (rows == batch) {
            return out;
        }
        NDArray cond = out.get("0:" + batch);
        NDArray guided = cond;
        int next = batch;
        if (guidance != 1.0) {
            NDArray uncond = out.get(batch + ":" + 2 * batch);
            guided = uncond.add(cond.sub(uncond).mul(guidance));
            next = 2 * batch;
        }
        if (owners != null) {
            NDArray without = out.get(next + ":");
            NDArray sumWithout = owners.toType(without.getDataType(), false).matMul(without.reshape(without.getShape().get(0), -1))
                    .reshape(cond.getShape());
            NDArray objects = cond.mul(counts.toType(cond.getDataType(), false)).sub(sumWithout);
            guided = guided.add(objects.mul(objectGuidance));
        }
        return guided;
    }
}
