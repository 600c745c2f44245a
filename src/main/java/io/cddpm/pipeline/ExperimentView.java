package io.cddpm.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a newcomer should see of a sweep in the MLflow UI, as a shared view of its experiment (MLflow
 * 2.22's Share format; {@code Tracker#shareView}): the chart view with the sweep's parent run expanded,
 * so its trials are listed (each in its own colour) and charted; first a "Pictures" section of image
 * grid charts, one card per row with the trials' grids side by side, whose step sliders stand at the
 * last epoch that drew pictures (the UI's default, step 0, shows "No image logged at this step"); the
 * runs table with the accuracy columns. The other charts are the ones the UI makes itself for every
 * metric, after the pictures (isAccordionReordered: without it the UI puts its own sections first). Checked with the MLflow 2.22.5 UI in headless Chromium.
 */
public final class ExperimentView {
    /** The share key: the view opens at {@code #/experiments/ID?viewStateShareKey=cddpm}. */
    public static final String SHARE_KEY = "cddpm";
    private static final String PICTURES = "cddpm-pictures";
    /** Pixels: a card's title, one row of image grids (the UI draws each about 255 px high) and its slider. */
    static final int PICTURE_CARD_HEIGHT = 380;

    private ExperimentView() {}

    /** The view state for a sweep whose trials were scored on testFiles, pictures last drawn at step. */
    static Map<String, Object> of(List<String> testFiles, long step) {
        List<Object> charts = new ArrayList<>();
        List<String> imageKeys = new ArrayList<>();
        testFiles.forEach(f -> imageKeys.add(ClassificationStage.gridKey(f)));
        imageKeys.add(ClassificationStage.PROGRESSIVE_KEY);
        for (String key : imageKeys) {
            Map<String, Object> card = new LinkedHashMap<>();
            card.put("type", "IMAGE");
            card.put("uuid", "cddpm-image-" + key);
            card.put("imageKeys", List.of(key));
            card.put("step", step);
            card.put("deleted", false);
            card.put("isGenerated", false);
            card.put("metricSectionId", PICTURES);
            charts.add(card);
        }
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("uuid", PICTURES);
        section.put("name", "Pictures (image grids by epoch)");
        section.put("display", true);
        section.put("isReordered", false);
        section.put("deleted", false);
        section.put("isExpanded", true);
        // One card per row, one row of trials high: a card lays its runs' grids out side by side at a fixed
        // size and scrolls the rest, so in the UI's default three columns only the first trial was in sight.
        section.put("columns", 1);
        section.put("cardHeight", PICTURE_CARD_HEIGHT);
        List<String> columns = new ArrayList<>();
        testFiles.forEach(f -> columns.add("metrics.`accuracy_" + f + "`"));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("searchFilter", "");
        state.put("orderByKey", "attributes.start_time");
        state.put("orderByAsc", true);
        state.put("startTime", "ALL");
        state.put("lifecycleFilter", "Active");
        state.put("modelVersionFilter", "All Runs");
        state.put("datasetsFilter", List.of());
        state.put("selectedColumns", columns);
        state.put("runsPinned", List.of());
        state.put("runsHidden", List.of());
        state.put("runsHiddenMode", "FIRST_10_RUNS");
        state.put("compareRunCharts", charts);
        state.put("compareRunSections", List.of(section));
        state.put("viewMaximized", false);
        state.put("runListHidden", false);
        state.put("isAccordionReordered", true); // the sections in the order given: the pictures first
        state.put("groupBy", null);
        state.put("groupsExpanded", Map.of());
        state.put("autoRefreshEnabled", false);
        state.put("useGroupedValuesInCharts", true);
        state.put("hideEmptyCharts", true);
        state.put("chartsSearchFilter", "");
        return state;
    }
}
