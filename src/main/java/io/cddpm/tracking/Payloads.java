package io.cddpm.tracking;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/** JSON bodies of outbox records, one record type per {@link RecordKind}. */
final class Payloads {
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Payloads() {}

    /** {@link RecordKind#CREATE_RUN}. parentKey may be null. */
    record CreateRun(String experiment, String runName, String parentKey, long startTime,
            Map<String, String> tags) {}

    /** {@link RecordKind#LOG_BATCH}. */
    record Batch(List<MetricPoint> metrics, Map<String, String> params, Map<String, String> tags) {}

    /** {@link RecordKind#SET_STATUS}. */
    record Status(RunState state, long endTime) {}

    /** {@link RecordKind#UPLOAD_ARTIFACT}: a local file and its path inside the run's artifacts. */
    record Artifact(String file, String artifactPath) {}

    /** {@link RecordKind#LOG_IMAGE}: name parts fixed when logged, so a retry writes the same artifact paths. */
    record Image(String file, String key, long step, long timestamp, String uuid) {}

    /** {@link RecordKind#LOG_INPUTS}. */
    record Inputs(List<DatasetInput> datasets) {}

    /** {@link RecordKind#LOG_MODEL}: files by their name in the model directory, and the MLmodel's fields. */
    record Model(String artifactPath, String flavor, Map<String, String> files, Map<String, String> flavorConf,
            Map<String, String> metadata, String modelUuid, String created) {}

    /** {@link RecordKind#REGISTER_MODEL}. */
    record Register(String modelName, String artifactPath, Map<String, String> tags) {}

    /** {@link RecordKind#TAG_MODEL_VERSION}. */
    record VersionTags(String modelName, Map<String, String> tags) {}

    /** {@link RecordKind#SET_CHAMPION}. */
    record Champion(String modelName, String alias, String scoreTag) {}

    /** {@link RecordKind#SHARE_VIEW}: the view's share key and its state (JSON, without the run to expand). */
    record View(String shareKey, String state) {}

    static String write(Object payload) {
        try {
            return JSON.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode tracking record " + payload, e);
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt tracking record " + json, e);
        }
    }
}
