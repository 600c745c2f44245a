package io.cddpm.viz;

import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.NoiseSchedule;
import io.cddpm.diffusion.SchedulerConfig;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;

/**
 * The schedule comparison picture: signal level alpha_bar(t) against t for several beta schedules, each
 * also with the config's log-SNR shift when it has one (a line of its own).
 */
public final class SchedulePlot {
    private SchedulePlot() {}

    public static XYChart chart(SchedulerConfig base, List<BetaSchedule> schedules) {
        XYChart chart = ChartStyle.lineChart("Signal level over the forward process (T = " + base.numTrainTimesteps() + ")",
                "timestep t", "alpha_bar(t)  (signal fraction)");
        int n = base.numTrainTimesteps();
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i;
        }
        double shift = base.logSnrShift();
        for (BetaSchedule s : schedules) {
            SchedulerConfig c = base.withBetaSchedule(s);
            ChartStyle.addLine(chart, s.id(), t, alphaBar(c.withLogSnrShift(0.0)), false);
            if (shift != 0.0) {
                ChartStyle.addLine(chart, s.id() + String.format(" + log-SNR shift %.2f", shift), t, alphaBar(c), false);
            }
        }
        return chart;
    }

    private static double[] alphaBar(SchedulerConfig c) {
        float[] ab = NoiseSchedule.of(c).alphasCumprod();
        double[] y = new double[ab.length];
        for (int i = 0; i < ab.length; i++) {
            y[i] = ab[i];
        }
        return y;
    }

    public static void write(SchedulerConfig base, List<BetaSchedule> schedules, Path png) {
        ChartStyle.writePng(chart(base, schedules), png);
    }
}
