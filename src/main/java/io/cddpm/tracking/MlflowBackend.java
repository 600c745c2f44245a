package io.cddpm.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
        this.client = new MlflowClient(MlflowCredentials.fromEnv(System.getenv()).hostCreds(trackingUri));
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

    /** Whether the experiment has a tag with this key. */
    boolean hasExperimentTag(String experimentId, String key) throws DeliveryException {
        try {
            return client.getExperiment(experimentId).getTagsList().stream().anyMatch(t -> t.getKey().equals(key));
        } catch (RuntimeException e) {
            throw classify("read the tags of experiment " + experimentId, e);
        }
    }

    @Override
    public void setExperimentTag(String experimentId, String key, String value) throws DeliveryException {
        try {
            client.setExperimentTag(experimentId, key, value);
        } catch (RuntimeException e) {
            throw classify("set tag " + key + " of experiment " + experimentId, e);
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

    // ---- dataset inputs and the model registry: REST calls the 2.17 Java client has no method for ----

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void logInputs(String runId, List<DatasetInput> inputs) throws DeliveryException {
        ObjectNode body = JSON.createObjectNode().put("run_id", runId);
        ArrayNode datasets = body.putArray("datasets");
        for (DatasetInput in : inputs) {
            ObjectNode d = datasets.addObject();
            d.putArray("tags").addObject().put("key", DatasetInput.CONTEXT_TAG).put("value", in.context());
            ObjectNode ds = d.putObject("dataset").put("name", in.name()).put("digest", in.digest())
                    .put("source_type", in.sourceType()).put("source", in.source());
            if (in.schema() != null) {
                ds.put("schema", in.schema());
            }
            if (in.profile() != null) {
                ds.put("profile", in.profile());
            }
        }
        post("runs/log-inputs", body, "log inputs of run " + runId);
    }

    @Override
    public String registerModelVersion(String name, String source, String runId, Map<String, String> tags) throws DeliveryException {
        // searched first: a create that fails with RESOURCE_ALREADY_EXISTS is logged as an error by the client
        String filter = "name = '" + name.replace("'", "\\'") + "'";
        try {
            JsonNode found = JSON.readTree(client.sendGet("registered-models/search?max_results=10&filter="
                    + URLEncoder.encode(filter, StandardCharsets.UTF_8)));
            boolean exists = false;
            for (JsonNode m : found.path("registered_models")) {
                exists |= name.equals(m.path("name").asText());
            }
            if (!exists) {
                client.sendPost("registered-models/create", JSON.createObjectNode().put("name", name).toString());
            }
        } catch (MlflowHttpException e) {
            if (e.getBodyMessage() == null || !e.getBodyMessage().contains("RESOURCE_ALREADY_EXISTS")) {
                throw classify("create registered model '" + name + "'", e);
            }
        } catch (RuntimeException e) {
            throw classify("create registered model '" + name + "'", e);
        } catch (java.io.IOException e) {
            throw new DeliveryException("search registered model '" + name + "': unreadable answer " + e.getMessage(), false, e);
        }
        String version = null;
        for (JsonNode v : versions(name, runId)) {
            if (source.equals(v.path("source").asText())) {
                version = v.path("version").asText();
            }
        }
        if (version == null) {
            ObjectNode body = JSON.createObjectNode().put("name", name).put("source", source).put("run_id", runId);
            JsonNode created = post("model-versions/create", body, "create a version of model '" + name + "'");
            version = created.path("model_version").path("version").asText();
        }
        for (Map.Entry<String, String> t : tags.entrySet()) {
            setVersionTag(name, version, t.getKey(), t.getValue());
        }
        return version;
    }

    @Override
    public void tagModelVersions(String name, String runId, Map<String, String> tags) throws DeliveryException {
        for (JsonNode v : versions(name, runId)) {
            for (Map.Entry<String, String> t : tags.entrySet()) {
                setVersionTag(name, v.path("version").asText(), t.getKey(), t.getValue());
            }
        }
    }

    @Override
    public Optional<String> setBestAlias(String name, String alias, String scoreTag) throws DeliveryException {
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (JsonNode v : versions(name, null)) {
            for (JsonNode t : v.path("tags")) {
                if (scoreTag.equals(t.path("key").asText())) {
                    try {
                        double score = Double.parseDouble(t.path("value").asText());
                        int version = v.path("version").asInt();
                        if (score > bestScore || score == bestScore && best != null && version > Integer.parseInt(best)) {
                            bestScore = score;
                            best = Integer.toString(version);
                        }
                    } catch (NumberFormatException ignored) {
                        // a hand-written tag that is no number does not compete
                    }
                }
            }
        }
        if (best != null) {
            post("registered-models/alias", JSON.createObjectNode().put("name", name).put("alias", alias).put("version", best),
                    "set alias " + alias + " of model '" + name + "'");
        }
        return Optional.ofNullable(best);
    }

    private void setVersionTag(String name, String version, String key, String value) throws DeliveryException {
        post("model-versions/set-tag", JSON.createObjectNode().put("name", name).put("version", version).put("key", key).put("value", value),
                "tag version " + version + " of model '" + name + "'");
    }

    /** The versions of a registered model (made by runId when it is given). */
    private List<JsonNode> versions(String name, String runId) throws DeliveryException {
        String filter = "name = '" + name.replace("'", "\\'") + "'" + (runId == null ? "" : " and run_id = '" + runId + "'");
        List<JsonNode> out = new ArrayList<>();
        String token = null;
        try {
            do {
                String path = "model-versions/search?max_results=1000&filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8)
                        + (token == null ? "" : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
                JsonNode page = JSON.readTree(client.sendGet(path));
                page.path("model_versions").forEach(out::add);
                token = page.path("next_page_token").asText(null);
            } while (token != null && !token.isEmpty());
            return out;
        } catch (RuntimeException e) {
            throw classify("search versions of model '" + name + "'", e);
        } catch (java.io.IOException e) {
            throw new DeliveryException("search versions of model '" + name + "': unreadable answer " + e.getMessage(), false, e);
        }
    }

    private JsonNode post(String path, ObjectNode body, String what) throws DeliveryException {
        try {
            String answer = client.sendPost(path, body.toString());
            return answer == null || answer.isBlank() ? JSON.createObjectNode() : JSON.readTree(answer);
        } catch (RuntimeException e) {
            throw classify(what, e);
        } catch (java.io.IOException e) {
            throw new DeliveryException(what + ": unreadable answer " + e.getMessage(), false, e);
        }
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
