package io.cddpm.runs;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cddpm.config.ConfigHash;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.AtomicFiles;
import io.cddpm.core.BoundedReads;
import io.cddpm.core.InvalidInputException;
import io.cddpm.model.Safetensors;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A training checkpoint: one zip file holding {@code model.safetensors} (weights),
 * {@code ema.safetensors}, {@code optimizer.safetensors} (AdamW moments), {@code state.json}
 * (epoch, step, seed, history, config hash) and {@code config.yaml} (the full config). Random state
 * needs no saving: every step's randomness derives from (seed, step). Written atomically.
 * {@link #read}, {@link #readInfo} and {@link #readConfig} also take a {@link ModelPackage} folder
 * (weights only: no optimizer state, no history).
 */
public record Checkpoint(
        ExperimentConfig config,
        int epoch,
        long step,
        Map<String, NDArray> model,
        Map<String, NDArray> ema,
        Map<String, NDArray> optimizer,
        List<EpochRecord> history,
        Provenance provenance,
        Partial partial) {

    /**
     * The part of an epoch trained after {@link #epoch()} (whole epochs) when the training was stopped
     * between two steps: the steps of the epoch already done are {@code step - epoch * batches per epoch};
     * the rest lets the epoch's record come out as if it had not been interrupted. Null in an epoch's checkpoint.
     */
    public record Partial(double lossSum, int images, double seconds, double lr) {}

    /** An epoch-boundary checkpoint. */
    public Checkpoint(ExperimentConfig config, int epoch, long step, Map<String, NDArray> model, Map<String, NDArray> ema,
            Map<String, NDArray> optimizer, List<EpochRecord> history, Provenance provenance) {
        this(config, epoch, step, model, ema, optimizer, history, provenance, null);
    }

    static final int FORMAT = 1;
    /** Where the provenance goes in an exported weights file's metadata. */
    public static final String PROVENANCE_KEY_PREFIX = "provenance.";
    /** state.json and config.yaml are text of a few kilobytes; more is not a cddpm checkpoint. */
    static final long MAX_TEXT_ENTRY = 64L << 20;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** The state.json document. */
    record State(int format, int epoch, long step, String configHash, String created, List<EpochRecord> history, Provenance provenance,
            Partial partial) {}

    /** Writes the checkpoint to a temporary file beside {@code file}, then renames it into place. */
    public void write(Path file) {
        AtomicFiles.write(file, os -> {
            try (ZipOutputStream zip = new ZipOutputStream(os)) {
                zip.setLevel(1);
                entry(zip, "state.json", JSON.writeValueAsBytes(
                        new State(FORMAT, epoch, step, ConfigHash.of(config), Instant.now().toString(), history, provenance, partial)));
                entry(zip, "config.yaml", ConfigLoader.toYaml(config).getBytes(StandardCharsets.UTF_8));
                entry(zip, "model.safetensors", Safetensors.toBytes(model, Map.of("format", "cddpm-unet")));
                entry(zip, "ema.safetensors", Safetensors.toBytes(ema, Map.of("format", "cddpm-unet-ema")));
                entry(zip, "optimizer.safetensors", Safetensors.toBytes(optimizer, Map.of("format", "cddpm-adamw")));
            }
        });
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    /** Reads a checkpoint; tensors are created in {@code manager}. Damage gives an error naming the file, never a silent restart. */
    public static Checkpoint read(Path file, NDManager manager) {
        if (ModelPackage.isPackage(file)) {
            return ModelPackage.open(file).checkpoint(manager);
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": checkpoint not found");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Map<String, byte[]> entries = new HashMap<>();
            for (String name : List.of("state.json", "config.yaml", "model.safetensors", "ema.safetensors", "optimizer.safetensors")) {
                ZipEntry e = zip.getEntry(name);
                if (e == null) {
                    throw new InvalidInputException(file + ": not a cddpm checkpoint (missing " + name + ")");
                }
                // declared sizes are checked before reading: a small deflated entry can claim (or inflate to) gigabytes
                entries.put(name, BoundedReads.zipEntry(zip, e, name.endsWith(".safetensors") ? BoundedReads.MAX_ARRAY : MAX_TEXT_ENTRY));
            }
            State state = JSON.readValue(entries.get("state.json"), new TypeReference<State>() {});
            if (state.format() != FORMAT) {
                throw new InvalidInputException(file + ": checkpoint format " + state.format() + ", this cddpm reads " + FORMAT);
            }
            ExperimentConfig config = ConfigLoader.fromYaml(new String(entries.get("config.yaml"), StandardCharsets.UTF_8), file + "!config.yaml");
            String where = file.toString();
            return new Checkpoint(config, state.epoch(), state.step(),
                    new LinkedHashMap<>(Safetensors.read(entries.get("model.safetensors"), manager, where + "!model.safetensors").tensors()),
                    new LinkedHashMap<>(Safetensors.read(entries.get("ema.safetensors"), manager, where + "!ema.safetensors").tensors()),
                    new LinkedHashMap<>(Safetensors.read(entries.get("optimizer.safetensors"), manager, where + "!optimizer.safetensors").tensors()),
                    state.history() == null ? List.of() : state.history(), state.provenance(), state.partial());
        } catch (ZipException e) {
            throw new InvalidInputException(file + ": corrupt or truncated checkpoint (" + e.getMessage() + ")", e);
        } catch (EOFException e) {
            throw new InvalidInputException(file + ": truncated checkpoint", e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": unreadable checkpoint (" + e.getMessage() + ")", e);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new InvalidInputException(file + ": corrupt checkpoint (" + e.getMessage() + ")", e);
        }
    }

    /** Writes the EMA weights (diffusers-style names) as one safetensors file, atomically. */
    public void exportEma(Path file) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "cddpm-unet-ema");
        metadata.put("epoch", Integer.toString(epoch));
        metadata.put("config_hash", ConfigHash.of(config));
        if (provenance != null) {
            metadata.putAll(provenance.toMap(PROVENANCE_KEY_PREFIX));
        }
        AtomicFiles.write(file, Safetensors.toBytes(ema, metadata));
    }

    /** What a checkpoint says about itself, without its tensors. */
    public record Info(int epoch, long step, String configHash, String created, int historyEpochs, Provenance provenance,
            ExperimentConfig config, Map<String, Long> entries) {}

    /** Reads state.json and config.yaml of a checkpoint, and the sizes of its entries (no tensors). */
    public static Info readInfo(Path file) {
        if (ModelPackage.isPackage(file)) {
            return ModelPackage.open(file).info();
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": checkpoint not found");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Map<String, Long> sizes = new LinkedHashMap<>();
            zip.stream().forEach(e -> sizes.put(e.getName(), e.getSize()));
            ZipEntry stateEntry = zip.getEntry("state.json");
            if (stateEntry == null) {
                throw new InvalidInputException(file + ": not a cddpm checkpoint (missing state.json)");
            }
            State state = JSON.readValue(BoundedReads.zipEntry(zip, stateEntry, MAX_TEXT_ENTRY), new TypeReference<State>() {});
            return new Info(state.epoch(), state.step(), state.configHash(), state.created(),
                    state.history() == null ? 0 : state.history().size(), state.provenance(), config(zip, file), sizes);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": corrupt or truncated checkpoint (" + e.getMessage() + ")", e);
        }
    }

    /** Only the config a checkpoint was trained with (no tensors are read). */
    public static ExperimentConfig readConfig(Path file) {
        if (ModelPackage.isPackage(file)) {
            return ModelPackage.open(file).config();
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": checkpoint not found");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return config(zip, file);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": corrupt or truncated checkpoint (" + e.getMessage() + ")", e);
        }
    }

    /** The config.yaml entry of an open checkpoint. */
    private static ExperimentConfig config(ZipFile zip, Path file) throws IOException {
        ZipEntry e = zip.getEntry("config.yaml");
        if (e == null) {
            throw new InvalidInputException(file + ": not a cddpm checkpoint (missing config.yaml)");
        }
        return ConfigLoader.fromYaml(new String(BoundedReads.zipEntry(zip, e, MAX_TEXT_ENTRY), StandardCharsets.UTF_8), file + "!config.yaml");
    }

    /** Copies named tensors into a model's parameters, checking names and shapes. */
    public static void copyInto(Map<String, NDArray> source, Map<String, NDArray> params, String what) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray s = source.get(e.getKey());
            if (s == null) {
                throw new InvalidInputException(what + ": missing tensor '" + e.getKey() + "'");
            }
            if (!s.getShape().equals(e.getValue().getShape())) {
                throw new InvalidInputException(what + ": tensor '" + e.getKey() + "' has shape " + s.getShape()
                        + ", the model expects " + e.getValue().getShape());
            }
            Tensors.copyInto(e.getValue(), s);
        }
    }
}
