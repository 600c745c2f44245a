package io.cddpm.tracking;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code MLmodel} file of an MLflow model directory (the layout {@code mlflow.models.Model} saves):
 * artifact_path, flavors, mlflow_version, model_size_bytes, model_uuid, run_id, utc_time_created and
 * free metadata. Written when the directory is delivered, so it names the MLflow run id.
 *
 * <p>Two flavors: cddpm's own (what the Java side reads) and {@code python_function}, whose loader
 * ({@code code/cddpm_pyfunc.py}, uploaded with the model) makes {@code mlflow.pyfunc.load_model(...)
 * .predict(...)} draw images by running cddpm's command line, so the loading snippet the MLflow UI shows
 * for a pyfunc model works where cddpm is installed.
 */
final class MlmodelFile {
    /** The MLflow version whose model format this follows (the pinned server). */
    static final String MLFLOW_VERSION = "2.22.5";
    private static final YAMLMapper YAML = YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();

    /** The run tag listing the run's logged models (JSON, one entry per model). */
    static final String HISTORY_TAG = "mlflow.log-model.history";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The Python loader module, uploaded as {@code CODE_DIR/PYFUNC_MODULE.py} in the model directory. */
    static final String PYFUNC_MODULE = "cddpm_pyfunc";
    static final String CODE_DIR = "code";
    /** The loader's source in the jar. */
    static final String PYFUNC_RESOURCE = "/io/cddpm/tracking/" + PYFUNC_MODULE + ".py";

    private MlmodelFile() {}

    /** The flavors of the model: its own, and python_function reading what cddpm samples from. */
    static Map<String, Object> flavors(Payloads.Model model) {
        Map<String, Object> own = new LinkedHashMap<>(model.flavorConf() == null ? Map.of() : model.flavorConf());
        Map<String, Object> pyfunc = new LinkedHashMap<>();
        pyfunc.put("loader_module", PYFUNC_MODULE);
        pyfunc.put("code", CODE_DIR);
        // what `cddpm sample --checkpoint` reads: a trial's checkpoint, or the directory itself for a model package
        pyfunc.put("data", own.getOrDefault("checkpoint", "."));
        Map<String, Object> flavors = new LinkedHashMap<>();
        flavors.put(model.flavor(), own);
        flavors.put("python_function", pyfunc);
        return flavors;
    }

    /** The value of {@link #HISTORY_TAG} for this one model. */
    static String historyJson(Payloads.Model model, String runId) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("run_id", runId);
        entry.put("artifact_path", model.artifactPath());
        entry.put("utc_time_created", model.created());
        entry.put("flavors", flavors(model));
        entry.put("model_uuid", model.modelUuid());
        entry.put("mlflow_version", MLFLOW_VERSION);
        try {
            return JSON.writeValueAsString(java.util.List.of(entry));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the model history tag", e);
        }
    }

    static String text(Payloads.Model model, String runId, long sizeBytes) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("artifact_path", model.artifactPath());
        root.put("flavors", flavors(model));
        if (model.metadata() != null && !model.metadata().isEmpty()) {
            root.put("metadata", model.metadata());
        }
        root.put("mlflow_version", MLFLOW_VERSION);
        root.put("model_size_bytes", sizeBytes);
        root.put("model_uuid", model.modelUuid());
        root.put("run_id", runId);
        root.put("utc_time_created", model.created());
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write MLmodel", e);
        }
    }
}
