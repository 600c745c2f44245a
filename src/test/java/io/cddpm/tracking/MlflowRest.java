package io.cddpm.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Integration tests' independent view of an MLflow server: plain HTTP GETs on its REST API. */
public final class MlflowRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    public MlflowRest(String trackingUri) {
        this.base = trackingUri;
    }

    byte[] getBytes(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " -> HTTP " + r.statusCode() + " "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    public JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        return JSON.readTree(getBytes(pathAndQuery));
    }

    /** The runs of an experiment (runs/search is a POST in MLflow's REST API; it reads, it changes nothing). */
    public JsonNode searchRuns(String experimentId) throws IOException, InterruptedException {
        String body = "{\"experiment_ids\": [\"" + experimentId + "\"], \"max_results\": 1000}";
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow/runs/search"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("runs/search -> HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public JsonNode experimentByName(String name) throws IOException, InterruptedException {
        return get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=" + q(name)).get("experiment");
    }

    public JsonNode run(String runId) throws IOException, InterruptedException {
        return get("/api/2.0/mlflow/runs/get?run_id=" + q(runId)).get("run");
    }

    public static Map<String, String> keyValues(JsonNode list) {
        Map<String, String> out = new LinkedHashMap<>();
        if (list != null) {
            list.forEach(n -> out.put(n.get("key").asText(), n.get("value").asText()));
        }
        return out;
    }

    public List<JsonNode> history(String runId, String key) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        JsonNode m = get("/api/2.0/mlflow/metrics/get-history?run_id=" + q(runId) + "&metric_key=" + q(key))
                .get("metrics");
        if (m != null) {
            m.forEach(out::add);
        }
        return out;
    }

    /** Files (not directories) under path in the run's artifacts, recursively, as relative paths. */
    public List<String> artifactFiles(String runId, String path) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        JsonNode files = get("/api/2.0/mlflow/artifacts/list?run_id=" + q(runId) + (path.isEmpty() ? "" : "&path="
                + q(path))).get("files");
        if (files != null) {
            for (JsonNode f : files) {
                if (f.get("is_dir").asBoolean()) {
                    out.addAll(artifactFiles(runId, f.get("path").asText()));
                } else {
                    out.add(f.get("path").asText());
                }
            }
        }
        return out;
    }

    /** Downloads an artifact through the proxy. */
    public byte[] artifact(String experimentId, String runId, String path) throws IOException, InterruptedException {
        return getBytes("/api/2.0/mlflow-artifacts/artifacts/" + experimentId + "/" + runId + "/artifacts/" + path);
    }
}
