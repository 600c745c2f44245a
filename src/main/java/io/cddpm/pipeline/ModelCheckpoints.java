package io.cddpm.pipeline;

import io.cddpm.core.InvalidInputException;
import io.cddpm.runs.ModelPackage;
import io.cddpm.sampling.ModelLocator;
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
public final class ModelCheckpoints {
    private ModelCheckpoints() {}

    /** A shipped model's short name: lowercase letters, digits, '.', '_' and '-'. */
    public static final Pattern SHORT_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** Finds a cascade's sampling.base the way --checkpoint is found. */
    public static final ModelLocator LOCATOR = reference -> local(reference, System.getenv(), "sampling.base");

    /** The checkpoint file or package folder the argument names (downloaded or looked up as needed). */
    public static Path local(Path given) {
        return given == null ? null : local(given.toString(), System.getenv());
    }

    public static Path local(String given, Map<String, String> env) {
        return local(given, env, "--checkpoint");
    }

    /** what: how the reference was given, for errors ("--checkpoint", "sampling.base"). */
    static Path local(String given, Map<String, String> env, String what) {
        if (RegisteredModels.isModelUri(given)) {
            return registered(given, env, what);
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
            throw new InvalidInputException(what + " " + given + ": no such checkpoint file, and no shipped model of that name"
                    + (names.isEmpty() ? " (" + shippedRoot() + " has none)" : " (shipped: " + String.join(", ", names) + ")"));
        }
        if (!what.startsWith("--") && !Files.exists(path)) {
            throw new InvalidInputException(what + " " + given + ": no such checkpoint file or model package folder");
        }
        return path; // the command says the file is missing, naming it
    }

    /** The folder of the models shipped with cddpm: $cddpm.home/models (bin/cddpm sets cddpm.home), else ./models. */
    public static Path shippedRoot() {
        return Path.of(System.getProperty("cddpm.home", ".")).resolve("models");
    }

    /** The short names of the shipped models, sorted. */
    public static List<String> shipped() {
        if (!Files.isDirectory(shippedRoot())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(shippedRoot())) {
            return dirs.filter(ModelPackage::isPackage).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Path registered(String given, Map<String, String> env, String what) {
        String uri = TrackingEndpoint.configuredUri(null, env).orElseThrow(() -> new InvalidInputException(what + " " + given
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
