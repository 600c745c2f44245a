package io.cddpm.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-label precision and recall of the metric's own predictions: for an image with k true labels
 * the predicted set is its k highest outputs (as in {@link Accuracy}), so these explain where the
 * accuracy is lost (which colors or shapes are confused).
 */
public record LabelMetrics(List<String> labels, int[] truePositives, int[] falsePositives, int[] falseNegatives) {
    /** One label's row. */
    public record Row(String label, int support, double precision, double recall) {}

    public static LabelMetrics of(float[][] outputs, List<int[]> truth, List<String> labelNames) {
        int n = labelNames.size();
        int[] tp = new int[n];
        int[] fp = new int[n];
        int[] fn = new int[n];
        for (int i = 0; i < outputs.length; i++) {
            int[] t = truth.get(i);
            int[] top = Accuracy.topK(outputs[i], t.length);
            boolean[] isTrue = new boolean[n];
            boolean[] predicted = new boolean[n];
            for (int l : t) {
                isTrue[l] = true;
            }
            for (int p : top) {
                predicted[p] = true;
            }
            for (int l = 0; l < n; l++) {
                if (predicted[l] && isTrue[l]) {
                    tp[l]++;
                } else if (predicted[l]) {
                    fp[l]++;
                } else if (isTrue[l]) {
                    fn[l]++;
                }
            }
        }
        return new LabelMetrics(List.copyOf(labelNames), tp, fp, fn);
    }

    /** Precision (NaN when the label was never predicted) and recall (NaN when it never occurs) per label. */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (int l = 0; l < labels.size(); l++) {
            int predicted = truePositives[l] + falsePositives[l];
            int support = truePositives[l] + falseNegatives[l];
            rows.add(new Row(labels.get(l), support,
                    predicted == 0 ? Double.NaN : (double) truePositives[l] / predicted,
                    support == 0 ? Double.NaN : (double) truePositives[l] / support));
        }
        return rows;
    }

    /** A fixed-width table: label, support, precision, recall. */
    public String table() {
        StringBuilder sb = new StringBuilder(String.format("%-14s %7s %9s %7s%n", "label", "support", "precision", "recall"));
        for (Row r : rows()) {
            sb.append(String.format("%-14s %7d %9.4f %7.4f%n", r.label(), r.support(), r.precision(), r.recall()));
        }
        return sb.toString();
    }
}
