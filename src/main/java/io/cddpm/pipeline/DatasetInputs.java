package io.cddpm.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cddpm.config.DatasetConfig;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.IclevrDataset;
import io.cddpm.tracking.DatasetInput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A trial's data as MLflow dataset inputs: the training set (digest of the images and labels actually
 * used; source = the render spec and seed, or the real root) in context {@code training}, and each
 * test file (digest of its conditions) in context {@code evaluation}. MLflow digests hold at most 36
 * characters: the first 32 hex digits of the sha256; the full one is in the profile.
 */
final class DatasetInputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DIGEST_CHARS = 32;

    private DatasetInputs() {}

    static DatasetInput training(ExperimentConfig c, IclevrDataset data) {
        DatasetConfig d = c.dataset();
        ObjectNode source = JSON.createObjectNode();
        String name;
        String type;
        if (d.rendered()) {
            type = "cddpm-render";
            source.put("renderer", "cddpm").put("spec", d.render().spec() == null ? "train.json (built in)" : d.render().spec())
                    .put("seed", d.render().seed());
            if (d.render().count() != null) {
                source.put("count", d.render().count());
            }
            name = "iclevr-render-" + c.resolution() + "px-seed" + d.render().seed();
        } else {
            type = "local";
            Path root = Path.of(d.root()).toAbsolutePath().normalize();
            source.put("uri", root.toUri().toString()).put("image_dir", d.imageDir());
            name = "iclevr-" + (root.getFileName() == null ? "root" : root.getFileName().toString()) + "-" + c.resolution() + "px";
        }
        // MLflow's column-spec schema, which its dataset drawer shows as a table (anything else: "Unrecognized Schema Format")
        ObjectNode schema = JSON.createObjectNode();
        schema.putArray(COLSPEC).addObject().put("name", "image").put("type", "uint8[3," + data.resolution() + "," + data.resolution() + "]");
        schema.withArray(COLSPEC).addObject().put("name", "labels").put("type", "multi-hot[" + data.numLabels() + "]");
        ObjectNode profile = JSON.createObjectNode().put("num_images", data.size()).put("resolution", data.resolution())
                .put("num_labels", data.numLabels()).put("sha256", data.digest());
        if (c.training().limitImages() != null) {
            profile.put("limit_images", c.training().limitImages());
        }
        return new DatasetInput(name, data.digest().substring(0, DIGEST_CHARS), type, source.toString(), schema.toString(),
                profile.toString(), DatasetInput.TRAINING);
    }

    /** The schema format MLflow's UI renders as a table of names and types. */
    static final String COLSPEC = "mlflow_colspec";

    static DatasetInput evaluation(ConditionFile f) {
        String digest = sha256(f.conditions().toString());
        ObjectNode source = JSON.createObjectNode().put("file", f.source() == null ? f.name() + ".json (built in)" : f.source());
        ObjectNode profile = JSON.createObjectNode().put("num_conditions", f.size()).put("sha256", digest);
        String schema = "{\"" + COLSPEC + "\":[{\"name\":\"labels\",\"type\":\"list<string>\"}]}";
        return new DatasetInput(f.name(), digest.substring(0, DIGEST_CHARS), "local", source.toString(), schema, profile.toString(),
                DatasetInput.EVALUATION);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
