package io.cddpm.tracking;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

/**
 * {@link TrackingBackend} on a real MLflow tracking server: the MLflow Java client for the tracking
 * API, {@link ArtifactUploader} for artifacts (the Java client's artifact methods shell out to Python).
 */
final class MlflowBackend implements TrackingBackend, AutoCloseable {
    private final MlflowClient client;
    private final ArtifactUploader uploader;

    MlflowBackend(String trackingUri) {
        this.client = new MlflowClient(trackingUri);
        this.uploader = new ArtifactUploader(trackingUri);
    }

    @Override
    public String experimentId(String name) throws DeliveryException {
        try {
            Optional<Service.Experiment> found = byName(name);
            if (found.isPresent()) {
                Service.Experiment e = found.get();
                if ("deleted".equals(e.getLifecycleStage())) {
                    client.restoreExperiment(e.getExperimentId());
                }
                return e.getExperimentId();
            }
            try {
                return client.createExperiment(name);
            } catch (MlflowHttpException e) {
                if (e.getBodyMessage() != null && e.getBodyMessage().contains("RESOURCE_ALREADY_EXISTS")) {
                    return byName(name).orElseThrow(() -> e).getExperimentId();
                }
                throw e;
            }
        } catch (RuntimeException e) {
            throw classify("get or create experiment '" + name + "'", e);
        }
    }

    /**
     * Searched rather than fetched by name: the 2.17.2 Java client retries get-by-name's 404 (a
     * missing experiment) as if it were a rate limit, sleeping and logging warnings.
     */
    private Optional<Service.Experiment> byName(String name) {
        String filter = "name = '" + name.replace("'", "\\'") + "'";
        return client.searchExperiments(filter, Service.ViewType.ALL, 10, List.of()).getItems().stream()
                .filter(e -> e.getName().equals(name)).findFirst();
    }

    @Override
    public CreatedRun createRun(String experimentId, String runName, long startTime, Map<String, String> tags)
            throws DeliveryException {
        try {
            Service.CreateRun.Builder req = Service.CreateRun.newBuilder()
                    .setExperimentId(experimentId)
                    .setStartTime(startTime);
            if (runName != null) {
                req.setRunName(runName);
            }
            tags.forEach((k, v) -> req.addTags(Service.RunTag.newBuilder().setKey(k).setValue(v)));
            Service.RunInfo info = client.createRun(req.build());
            return new CreatedRun(info.getRunId(), info.getExperimentId(), info.getArtifactUri());
        } catch (RuntimeException e) {
            throw classify("create run '" + runName + "'", e);
        }
    }

    @Override
    public Optional<CreatedRun> findRun(String experimentId, String runKey) throws DeliveryException {
        try {
            String filter = "tags.`" + OutboxSender.RUN_KEY_TAG + "` = '" + runKey.replace("'", "\\'") + "'";
            List<Service.RunInfo> runs = client.searchRuns(List.of(experimentId), filter, Service.ViewType.ALL);
            return runs.stream().findFirst()
                    .map(i -> new CreatedRun(i.getRunId(), i.getExperimentId(), i.getArtifactUri()));
        } catch (RuntimeException e) {
            throw classify("search run with key " + runKey, e);
        }
    }

    @Override
    public void logBatch(String runId, List<MetricPoint> metrics, Map<String, String> params,
            Map<String, String> tags) throws DeliveryException {
        List<Service.Metric> m = new ArrayList<>(metrics.size());
        for (MetricPoint p : metrics) {
            m.add(Service.Metric.newBuilder().setKey(p.key()).setValue(p.value())
                    .setTimestamp(p.timestamp()).setStep(p.step()).build());
        }
        List<Service.Param> ps = new ArrayList<>(params.size());
        params.forEach((k, v) -> ps.add(Service.Param.newBuilder().setKey(k).setValue(v).build()));
        List<Service.RunTag> ts = new ArrayList<>(tags.size());
        tags.forEach((k, v) -> ts.add(Service.RunTag.newBuilder().setKey(k).setValue(v).build()));
        try {
            client.logBatch(runId, m, ps, ts);
        } catch (RuntimeException e) {
            throw classify("log batch to run " + runId, e);
        }
    }

    @Override
    public List<MetricPoint> metricHistory(String runId, String key) throws DeliveryException {
        try {
            List<MetricPoint> out = new ArrayList<>();
            for (Service.Metric m : client.getMetricHistory(runId, key)) {
                out.add(new MetricPoint(m.getKey(), m.getValue(), m.getTimestamp(), m.getStep()));
            }
            return out;
        } catch (RuntimeException e) {
            throw classify("metric history " + key + " of run " + runId, e);
        }
    }

    @Override
    public void terminate(String runId, RunState state, long endTime) throws DeliveryException {
        try {
            client.setTerminated(runId, Service.RunStatus.valueOf(state.name()), endTime);
        } catch (RuntimeException e) {
            throw classify("end run " + runId, e);
        }
    }

    @Override
    public void upload(String artifactUri, String artifactPath, Path file) throws DeliveryException {
        uploader.upload(artifactUri, artifactPath, file);
    }

    /** MLflow refused the request (4xx but 408/429): permanent; anything else may pass on a retry. */
    static DeliveryException classify(String what, RuntimeException e) {
        if (e instanceof MlflowHttpException h) {
            int s = h.getStatusCode();
            boolean permanent = s >= 400 && s < 500 && s != 408 && s != 429;
            return new DeliveryException(what + ": HTTP " + s + " " + h.getBodyMessage(), permanent, e);
        }
        return new DeliveryException(what + ": " + e, false, e);
    }

    @Override
    public void close() {
        client.close();
    }
}
