package io.cddpm.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** One look for every cddpm plot (XChart): white background, readable fonts, legend inside, PNG at 144 dpi. */
public final class ChartStyle {
    /** Default plot size in pixels (at 72 dpi; the PNG is written at twice that). */
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private static final Color[] PALETTE = {
        new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
    };

    private ChartStyle() {}

    /** An empty line chart with cddpm's styling. */
    public static XYChart lineChart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        var st = chart.getStyler();
        st.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderVisible(true);
        st.setPlotBorderColor(Color.GRAY);
        st.setPlotGridLinesColor(new Color(225, 225, 225));
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        st.setChartTitleBoxVisible(false);
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setLegendPosition(Styler.LegendPosition.InsideNE);
        st.setLegendBorderColor(Color.LIGHT_GRAY);
        st.setSeriesColors(PALETTE);
        st.setMarkerSize(6);
        st.setAntiAlias(true);
        return chart;
    }

    /** Adds a line series with round markers (one per point) and a 2-px line. */
    public static XYSeries addLine(XYChart chart, String name, double[] x, double[] y) {
        return addLine(chart, name, x, y, true);
    }

    /** Adds a 2-px line series; {@code markers = false} for dense curves (e.g. 1000 timesteps). */
    public static XYSeries addLine(XYChart chart, String name, double[] x, double[] y, boolean markers) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(2f));
        return s;
    }

    /** Writes the chart as a PNG at 144 dpi (twice the pixel size), creating the parent folders. */
    public static void writePng(Chart<?, ?> chart, Path out) {
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            BitmapEncoder.saveBitmapWithDPI(chart, out.toString(), BitmapEncoder.BitmapFormat.PNG, 144);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + out, e);
        }
    }
}
