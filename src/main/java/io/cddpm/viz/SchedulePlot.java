package io.cddpm.viz;

import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.NoiseSchedule;
import io.cddpm.diffusion.SchedulerConfig;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;

/** The schedule comparison picture: signal level alpha_bar(t) against t for several beta schedules. */
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
        for (BetaSchedule s : schedules) {
            float[] ab = NoiseSchedule.of(base.withBetaSchedule(s)).alphasCumprod();
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = ab[i];
            }
            ChartStyle.addLine(chart, s.id(), t, y, false);
        }
        return chart;
    }

    public static void write(SchedulerConfig base, List<BetaSchedule> schedules, Path png) {
        ChartStyle.writePng(chart(base, schedules), png);
    }
}
