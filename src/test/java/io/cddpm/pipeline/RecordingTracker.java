package io.cddpm.pipeline;

import io.cddpm.tracking.MetricPoint;
import io.cddpm.tracking.RunHandle;
import io.cddpm.tracking.Tracker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** A {@link Tracker} that keeps everything in memory, so stage logic is tested without a server. */
final class RecordingTracker implements Tracker {
    /** One run as the tracker saw it. */
    static final class Run {
        final RunHandle handle;
        final String parentKey;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, String> params = new LinkedHashMap<>();
        final List<MetricPoint> metrics = new ArrayList<>();
        final List<String> artifacts = new ArrayList<>();
        String status = "RUNNING";

        Run(RunHandle handle, String parentKey) {
            this.handle = handle;
            this.parentKey = parentKey;
        }

        List<Long> steps(String key) {
            return metrics.stream().filter(m -> m.key().equals(key)).map(MetricPoint::step).toList();
        }
    }

    final Map<String, Run> runs = new LinkedHashMap<>();

    Run run(RunHandle h) {
        return runs.get(h.key());
    }

    @Override
    public String uri() {
        return "memory:";
    }

    @Override
    public RunHandle startRun(String experiment, String runName, Map<String, String> tags) {
        return start(experiment, runName, null, tags);
    }

    @Override
    public RunHandle startChildRun(RunHandle parent, String runName, Map<String, String> tags) {
        return start(parent.experiment(), runName, parent.key(), tags);
    }

    private RunHandle start(String experiment, String runName, String parentKey, Map<String, String> tags) {
        RunHandle h = new RunHandle(UUID.randomUUID().toString(), experiment, runName);
        Run r = new Run(h, parentKey);
        r.tags.putAll(tags);
        runs.put(h.key(), r);
        return h;
    }

    @Override
    public Optional<RunHandle> resumeRun(String runKey) {
        return Optional.ofNullable(runs.get(runKey)).map(r -> r.handle);
    }

    @Override
    public void logParams(RunHandle run, Map<String, String> params) {
        run(run).params.putAll(params);
    }

    @Override
    public void setTags(RunHandle run, Map<String, String> tags) {
        run(run).tags.putAll(tags);
    }

    @Override
    public void logMetrics(RunHandle run, Map<String, Double> values, long step) {
        values.forEach((k, v) -> run(run).metrics.add(new MetricPoint(k, v, 0, step)));
    }

    @Override
    public void logPoints(RunHandle run, List<MetricPoint> points) {
        run(run).metrics.addAll(points);
    }

    @Override
    public void logProgress(RunHandle run, Map<String, Double> values, long step) {
        logMetrics(run, values, step);
    }

    @Override
    public void logArtifact(RunHandle run, Path file, String artifactDir) {
        run(run).artifacts.add((artifactDir == null || artifactDir.isEmpty() ? "" : artifactDir + "/") + file.getFileName());
    }

    @Override
    public void finishRun(RunHandle run) {
        run(run).status = "FINISHED";
    }

    @Override
    public void failRun(RunHandle run, String error) {
        run(run).status = "FAILED";
        run(run).tags.put("cddpm.error", error);
    }

    @Override
    public int pendingCount() {
        return 0;
    }

    @Override
    public void close() {}
}
