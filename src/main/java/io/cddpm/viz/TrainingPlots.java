package io.cddpm.viz;

import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.EvaluationRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/** The run's plots: training loss per epoch, and accuracy per evaluated epoch for each test file. */
public final class TrainingPlots {
    private TrainingPlots() {}

    /** Mean training loss per epoch. */
    public static XYChart lossChart(List<EpochRecord> history) {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("no epochs to plot");
        }
        double[] x = history.stream().mapToDouble(EpochRecord::epoch).toArray();
        double[] y = history.stream().mapToDouble(EpochRecord::loss).toArray();
        XYChart chart = ChartStyle.lineChart("Training loss per epoch", "Epoch", "Mean loss (MSE)");
        ChartStyle.addLine(chart, "training loss", x, y, history.size() <= 40);
        chart.getStyler().setYAxisDecimalPattern("0.0###");
        chart.getStyler().setXAxisDecimalPattern("#");
        return chart;
    }

    /**
     * Accuracy per evaluated epoch, one line per test file, y from 0 to 1, and a dashed "ceiling" line at the
     * evaluator's held-out accuracy (the ceiling; none when NaN). When an epoch was evaluated more than
     * once, the last entry in the file counts.
     */
    public static XYChart accuracyChart(List<EvaluationRecord> evaluations, double ceiling) {
        TreeSet<String> tests = new TreeSet<>();
        evaluations.forEach(e -> tests.addAll(e.accuracy().keySet()));
        if (tests.isEmpty()) {
            throw new IllegalArgumentException("no accuracies to plot");
        }
        XYChart chart = ChartStyle.lineChart("Accuracy per evaluation", "Epoch", "Accuracy");
        for (String test : orderTests(tests)) {
            Map<Integer, Double> byEpoch = new TreeMap<>();
            for (EvaluationRecord e : evaluations) {
                Double a = e.accuracy().get(test);
                if (a != null) {
                    byEpoch.put(e.epoch(), a);
                }
            }
            double[] x = byEpoch.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y = byEpoch.values().stream().mapToDouble(Double::doubleValue).toArray();
            ChartStyle.addLine(chart, test, x, y);
        }
        if (!Double.isNaN(ceiling)) {
            double first = evaluations.stream().mapToInt(EvaluationRecord::epoch).min().orElse(0);
            double last = evaluations.stream().mapToInt(EvaluationRecord::epoch).max().orElse(0);
            XYSeries line = ChartStyle.addLine(chart, String.format(Locale.ROOT, "ceiling %.3f", ceiling),
                    new double[] {first, last}, new double[] {ceiling, ceiling}, false);
            line.setLineColor(Color.GRAY);
            line.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        chart.getStyler().setYAxisDecimalPattern("0.0");
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setXAxisDecimalPattern("#");
        // accuracies can sit anywhere in [0, 1]: a legend inside the plot would cover some of them
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        return chart;
    }

    public static void writeLoss(List<EpochRecord> history, Path png) {
        ChartStyle.writePng(lossChart(history), png);
    }

    /** The accuracy chart with the evaluator's held-out accuracy (NaN: unknown) as a PNG. */
    public static void writeAccuracy(List<EvaluationRecord> evaluations, double ceiling, Path png) {
        ChartStyle.writePng(accuracyChart(evaluations, ceiling), png);
    }

    /** "test" first, "new_test" second, then the others by name. */
    static List<String> orderTests(Collection<String> tests) {
        List<String> out = new ArrayList<>();
        for (String known : List.of("test", "new_test")) {
            if (tests.contains(known)) {
                out.add(known);
            }
        }
        new TreeSet<>(tests).stream().filter(t -> !out.contains(t)).forEach(out::add);
        return out;
    }
}
