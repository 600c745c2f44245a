package io.cddpm.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The course's classification metric (its evaluator.py): for each image with k true labels, take
 * the k highest outputs and count how many are true labels; accuracy = all hits / all true labels,
 * pooled over the batch. Ties are broken towards the lower label index (a stable, documented rule;
 * torch.topk leaves it unspecified).
 */
public final class Accuracy {
    private Accuracy() {}

    /** Hits and true-label count of one image. */
    public record ImageScore(int hits, int labels) {}

    /** The pooled result and the per-image scores. */
    public record Result(double accuracy, double meanImageAccuracy, List<ImageScore> images) {}

    /**
     * @param outputs (N, L) classifier outputs, row-major
     * @param labels  the true label indices of each image
     */
    public static Result of(float[][] outputs, List<int[]> labels) {
        if (outputs.length != labels.size()) {
            throw new IllegalArgumentException(outputs.length + " outputs for " + labels.size() + " label lists");
        }
        long hits = 0;
        long total = 0;
        double meanSum = 0;
        List<ImageScore> scores = new ArrayList<>();
        for (int i = 0; i < outputs.length; i++) {
            int[] truth = labels.get(i);
            int[] top = topK(outputs[i], truth.length);
            int h = 0;
            for (int t : top) {
                for (int l : truth) {
                    if (t == l) {
                        h++;
                        break;
                    }
                }
            }
            hits += h;
            total += truth.length;
            meanSum += truth.length == 0 ? 0 : (double) h / truth.length;
            scores.add(new ImageScore(h, truth.length));
        }
        return new Result(total == 0 ? 0 : (double) hits / total, outputs.length == 0 ? 0 : meanSum / outputs.length, scores);
    }

    /** Indices of the k largest values, ties to the lower index. */
    static int[] topK(float[] values, int k) {
        Integer[] idx = new Integer[values.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Float.compare(values[b], values[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[Math.min(k, values.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
