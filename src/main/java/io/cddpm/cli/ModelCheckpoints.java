package io.cddpm.cli;

import io.cddpm.core.InvalidInputException;
import io.cddpm.runs.ModelPackage;
import io.cddpm.tracking.RegisteredModels;
import io.cddpm.tracking.TrackingEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a {@code --checkpoint} argument names: a checkpoint file or a model package folder; the short
 * name of a model shipped in cddpm's {@code models/} folder ({@code iclevr32}); or a registered model,
 * {@code models:/NAME@ALIAS} or {@code models:/NAME/VERSION}, whose version is looked up on the MLflow
 * server of {@code $MLFLOW_TRACKING_URI}, its model directory downloaded into the cache
 * ({@code $CDDPM_CACHE/models} or {@code ~/.cache/cddpm/models}) and its checkpoint or package used.
 */
final class ModelCheckpoints {
    private ModelCheckpoints() {}

    /** A shipped model's short name: lowercase letters, digits, '.', '_' and '-'. */
    static final Pattern SHORT_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** The checkpoint file or package folder the argument names (downloaded or looked up as needed). */
    static Path local(Path given) {
        return given == null ? null : local(given.toString(), System.getenv());
    }

    static Path local(String given, Map<String, String> env) {
        if (RegisteredModels.isModelUri(given)) {
            return registered(given, env);
        }
        Path path = Path.of(given);
        if (Files.exists(path)) {
            return path;
        }
        if (SHORT_NAME.matcher(given).matches()) {
            Path shipped = shippedRoot().resolve(given);
            if (ModelPackage.isPackage(shipped)) {
                return shipped;
            }
            List<String> names = shipped();
            throw new InvalidInputException("--checkpoint " + given + ": no such checkpoint file, and no shipped model of that name"
                    + (names.isEmpty() ? " (" + shippedRoot() + " has none)" : " (shipped: " + String.join(", ", names) + ")"));
        }
        return path; // the command says the file is missing, naming it
    }

    /** The folder of the models shipped with cddpm: $cddpm.home/models (bin/cddpm sets cddpm.home), else ./models. */
    static Path shippedRoot() {
        return Path.of(System.getProperty("cddpm.home", ".")).resolve("models");
    }

    /** The short names of the shipped models, sorted. */
    static List<String> shipped() {
        if (!Files.isDirectory(shippedRoot())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(shippedRoot())) {
            return dirs.filter(ModelPackage::isPackage).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Path registered(String given, Map<String, String> env) {
        String uri = TrackingEndpoint.configuredUri(null, env).orElseThrow(() -> new InvalidInputException("--checkpoint " + given
                + " names a registered model: set " + TrackingEndpoint.URI_ENV + " to the MLflow server that holds it"));
        try {
            Path dir = RegisteredModels.download(uri, given, RegisteredModels.cacheRoot(env));
            if (ModelPackage.isPackage(dir)) {
                System.err.println(given + " -> " + dir);
                return dir;
            }
            try (Stream<Path> files = Files.list(dir)) {
                Path ckpt = files.filter(p -> p.getFileName().toString().endsWith(".ckpt")).sorted().findFirst()
                        .orElseThrow(() -> new InvalidInputException(given + " has neither a cddpm checkpoint (.ckpt) nor a model package ("
                                + ModelPackage.MANIFEST + ") in its model directory " + dir));
                System.err.println(given + " -> " + ckpt);
                return ckpt;
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidInputException("cannot get " + given + " from MLflow at " + uri + ": " + e.getMessage());
        }
    }
}
