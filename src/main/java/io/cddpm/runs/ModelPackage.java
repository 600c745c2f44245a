package io.cddpm.runs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cddpm.config.ConfigHash;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.AtomicFiles;
import io.cddpm.core.BoundedReads;
import io.cddpm.core.FileDigests;
import io.cddpm.core.InvalidInputException;
import io.cddpm.model.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A trained model to share or ship: a folder with {@code model.json} (what is in it and what produced
 * it), {@code config.yaml} (the full config the weights were trained with), {@code unet-ema.safetensors}
 * (the EMA weights, bf16 by default, with provenance in their metadata) and
 * {@code evaluator.safetensors} (the ResNet18 its samples are scored with). Made from a checkpoint by
 * {@code cddpm model export}; taken wherever a checkpoint is ({@code sample}, {@code evaluate},
 * {@code sampling-table}), as weights only: it holds no optimizer state and cannot be resumed.
 * The manifest's file names are checked (plain names inside the folder) and each file's SHA-256 is
 * checked against the manifest before it is used.
 */
public record ModelPackage(Path dir, Manifest manifest, ExperimentConfig config) {
    public static final String MANIFEST = "model.json";
    public static final String WEIGHTS = "unet-ema.safetensors";
    public static final String CONFIG = "config.yaml";
    public static final String EVALUATOR = "evaluator.safetensors";
    static final int FORMAT = 1;
    private static final long MAX_MANIFEST = 1L << 20;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** Where the weights came from: the checkpoint (name and SHA-256), its epoch, step and config hash. */
    public record Source(String checkpoint, String checkpointSha256, int epoch, long step, String configHash) {}

    /** A file of the package and its SHA-256. */
    public record Entry(String file, String sha256, long bytes) {}

    /**
     * model.json.
     *
     * @param evaluatorHeldoutAccuracy the evaluator's held-out accuracy as trained (its ceiling), or null when unknown
     */
    public record Manifest(int format, String name, String description, Entry weights, String weightsPrecision, Entry config,
            Entry evaluator, Double evaluatorHeldoutAccuracy, Source source, Provenance provenance) {}

    /** True when {@code path} is a folder holding a model.json. */
    public static boolean isPackage(Path path) {
        return path != null && Files.isDirectory(path) && Files.isRegularFile(path.resolve(MANIFEST));
    }

    /** Opens a package: reads and checks its manifest and config (no tensors are read). */
    public static ModelPackage open(Path dir) {
        Path manifestFile = dir.resolve(MANIFEST);
        Manifest m;
        try {
            long size = Files.size(manifestFile);
            if (size > MAX_MANIFEST) {
                throw new InvalidInputException(manifestFile + ": " + size + " bytes; a model manifest is a few kilobytes (at most " + MAX_MANIFEST + ")");
            }
            m = JSON.readValue(Files.readAllBytes(manifestFile), Manifest.class);
        } catch (IOException e) {
            throw new InvalidInputException(manifestFile + ": not a readable model manifest (" + e.getMessage() + ")", e);
        }
        if (m.format() != FORMAT) {
            throw new InvalidInputException(manifestFile + ": model package format " + m.format() + ", this cddpm reads " + FORMAT);
        }
        for (Map.Entry<String, Entry> e : Map.of("weights", nonNull(m.weights(), manifestFile, "weights"), "config",
                nonNull(m.config(), manifestFile, "config")).entrySet()) {
            file(dir, e.getValue(), manifestFile + ": " + e.getKey());
        }
        if (m.evaluator() != null) {
            file(dir, m.evaluator(), manifestFile + ": evaluator");
        }
        Path configFile = file(dir, m.config(), manifestFile + ": config");
        verify(configFile, m.config(), manifestFile);
        ExperimentConfig config;
        try {
            if (Files.size(configFile) > MAX_MANIFEST) {
                throw new InvalidInputException(configFile + ": larger than a config can be (" + MAX_MANIFEST + " bytes)");
            }
            config = ConfigLoader.fromYaml(Files.readString(configFile, StandardCharsets.UTF_8), configFile.toString());
        } catch (IOException e) {
            throw new InvalidInputException(configFile + ": unreadable (" + e.getMessage() + ")", e);
        }
        return new ModelPackage(dir, m, config);
    }

    private static Entry nonNull(Entry e, Path manifest, String key) {
        if (e == null || e.file() == null || e.sha256() == null) {
            throw new InvalidInputException(manifest + ": '" + key + "' must name a file and its sha256");
        }
        return e;
    }

    /** A manifest entry's file: a plain name inside the package folder, which exists. */
    private static Path file(Path dir, Entry e, String where) {
        String name = e.file();
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains("\0") || name.equals(".")
                || name.equals("..") || name.length() > 255) {
            throw new InvalidInputException(where + " '" + name + "': must be a plain file name inside the package folder (no '/', not '..')");
        }
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(name).normalize();
        if (!base.equals(p.getParent())) {
            throw new InvalidInputException(where + " '" + name + "': resolves to " + p + ", outside " + base);
        }
        if (!Files.isRegularFile(p)) {
            throw new InvalidInputException(where + ": " + p + " is missing");
        }
        return p;
    }

    /** Checks a file against its manifest entry's size and SHA-256. */
    private static void verify(Path file, Entry e, Path manifest) {
        try {
            long size = Files.size(file);
            if (size != e.bytes()) {
                throw new InvalidInputException(file + ": " + size + " bytes, " + manifest + " says " + e.bytes() + " (damaged or replaced)");
            }
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        String sha = FileDigests.sha256(file);
        if (!sha.equals(e.sha256())) {
            throw new InvalidInputException(file + ": SHA-256 " + sha + ", " + manifest + " says " + e.sha256() + " (damaged or replaced)");
        }
    }

    public String name() {
        return manifest.name();
    }

    /** The packaged evaluator (checked against the manifest), if it has one. */
    public Optional<Path> evaluator() {
        if (manifest.evaluator() == null) {
            return Optional.empty();
        }
        Path p = file(dir, manifest.evaluator(), dir.resolve(MANIFEST) + ": evaluator");
        verify(p, manifest.evaluator(), dir.resolve(MANIFEST));
        return Optional.of(p);
    }

    /** The weights as a checkpoint with no optimizer state and no history: model and EMA are the same tensors. */
    public Checkpoint checkpoint(NDManager manager) {
        Path weights = file(dir, manifest.weights(), dir.resolve(MANIFEST) + ": weights");
        verify(weights, manifest.weights(), dir.resolve(MANIFEST));
        try {
            long size = Files.size(weights);
            if (size > BoundedReads.MAX_ARRAY) {
                throw new InvalidInputException(weights + ": " + size + " bytes, more than one array can hold");
            }
            Map<String, NDArray> tensors = new LinkedHashMap<>(Safetensors.read(Files.readAllBytes(weights), manager, weights.toString()).tensors());
            Source s = manifest.source();
            return new Checkpoint(config, s == null ? 0 : s.epoch(), s == null ? 0 : s.step(), tensors, tensors, Map.of(), List.of(),
                    manifest.provenance());
        } catch (IOException e) {
            throw new InvalidInputException(weights + ": unreadable (" + e.getMessage() + ")", e);
        }
    }

    /** What {@code cddpm inspect} shows of a package: like a checkpoint's info, the entries being its files. */
    public Checkpoint.Info info() {
        Map<String, Long> sizes = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                sizes.put(p.getFileName().toString(), Files.size(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Source s = manifest.source();
        return new Checkpoint.Info(s == null ? 0 : s.epoch(), s == null ? 0 : s.step(), s == null ? ConfigHash.of(config) : s.configHash(),
                manifest.provenance() == null ? null : manifest.provenance().created(), 0, manifest.provenance(), config, sizes);
    }

    /**
     * Writes a package of {@code checkpoint}'s EMA weights (converted to {@code weightsType}) and
     * {@code evaluator} (converted to bf16 when {@code evaluatorBf16}) into {@code dir}, which must not
     * exist: everything is written into a temporary folder beside it, then renamed into place.
     */
    public static ModelPackage write(Checkpoint checkpoint, Path sourceCheckpoint, Path evaluator, Path dir, String name, String description,
            DataType weightsType, boolean evaluatorBf16, NDManager manager) {
        if (Files.exists(dir)) {
            throw new InvalidInputException(dir + " exists: a package is never written over (remove it first)");
        }
        Path parent = dir.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + dir.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(parent);
            deleteTree(tmp);
            Files.createDirectory(tmp);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "cddpm-unet-ema");
            meta.put("epoch", Integer.toString(checkpoint.epoch()));
            meta.put("config_hash", ConfigHash.of(checkpoint.config()));
            if (checkpoint.provenance() != null) {
                meta.putAll(checkpoint.provenance().toMap(Checkpoint.PROVENANCE_KEY_PREFIX));
            }
            AtomicFiles.write(tmp.resolve(WEIGHTS), Safetensors.toBytes(checkpoint.ema(), meta, weightsType == DataType.BFLOAT16));
            AtomicFiles.writeString(tmp.resolve(CONFIG), ConfigLoader.toYaml(checkpoint.config()));
            Entry evaluatorEntry = null;
            Double heldOut = null;
            if (evaluator != null) {
                Map<String, String> evalMeta = Safetensors.metadata(evaluator);
                String acc = evalMeta.get("heldout_accuracy");
                heldOut = acc == null ? null : Double.valueOf(acc);
                if (evaluatorBf16) {
                    try (NDManager m = manager.newSubManager()) {
                        Map<String, NDArray> ev = Safetensors.read(Files.readAllBytes(evaluator), m, evaluator.toString()).tensors();
                        Map<String, String> withSource = new LinkedHashMap<>(evalMeta);
                        withSource.put("converted_from", evaluator.getFileName() + " sha256:" + FileDigests.sha256(evaluator) + " (float32 -> bf16)");
                        AtomicFiles.write(tmp.resolve(EVALUATOR), Safetensors.toBytes(ev, withSource, true));
                    }
                } else {
                    Files.copy(evaluator, tmp.resolve(EVALUATOR), StandardCopyOption.COPY_ATTRIBUTES);
                }
                evaluatorEntry = entry(tmp, EVALUATOR);
            }
            Source source = new Source(sourceCheckpoint.getFileName().toString(), FileDigests.sha256(sourceCheckpoint), checkpoint.epoch(),
                    checkpoint.step(), ConfigHash.of(checkpoint.config()));
            Manifest manifest = new Manifest(FORMAT, name, description, entry(tmp, WEIGHTS), weightsType.name().toLowerCase(), entry(tmp, CONFIG),
                    evaluatorEntry, heldOut, source, checkpoint.provenance());
            AtomicFiles.write(tmp.resolve(MANIFEST), JSON.writeValueAsBytes(manifest));
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            return open(dir);
        } catch (IOException e) {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // the temporary folder's name says what it is
            }
            throw new UncheckedIOException("cannot write the model package " + dir, e);
        }
    }

    private static Entry entry(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        return new Entry(name, FileDigests.sha256(p), Files.size(p));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
