package io.cddpm.cli;

import io.cddpm.core.InvalidInputException;
import io.cddpm.tracking.RegisteredModels;
import io.cddpm.tracking.TrackingEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A {@code --checkpoint} given as a registered model, {@code models:/NAME@ALIAS} or
 * {@code models:/NAME/VERSION}: the version is looked up on the MLflow server of
 * {@code $MLFLOW_TRACKING_URI}, its model directory downloaded into the cache
 * ({@code $CDDPM_CACHE/models} or {@code ~/.cache/cddpm/models}) and its cddpm checkpoint used.
 */
final class ModelCheckpoints {
    private ModelCheckpoints() {}

    /** The checkpoint file itself, or the cached checkpoint of the registered model the argument names. */
    static Path local(Path given) {
        return given == null ? null : local(given.toString(), System.getenv());
    }

    static Path local(String given, Map<String, String> env) {
        if (!RegisteredModels.isModelUri(given)) {
            return Path.of(given);
        }
        String uri = TrackingEndpoint.configuredUri(null, env).orElseThrow(() -> new InvalidInputException("--checkpoint " + given
                + " names a registered model: set " + TrackingEndpoint.URI_ENV + " to the MLflow server that holds it"));
        try {
            Path dir = RegisteredModels.download(uri, given, RegisteredModels.cacheRoot(env));
            try (Stream<Path> files = Files.list(dir)) {
                Path ckpt = files.filter(p -> p.getFileName().toString().endsWith(".ckpt")).sorted().findFirst()
                        .orElseThrow(() -> new InvalidInputException(given + " has no cddpm checkpoint (.ckpt) in its model directory " + dir));
                System.err.println(given + " -> " + ckpt);
                return ckpt;
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidInputException("cannot get " + given + " from MLflow at " + uri + ": " + e.getMessage());
        }
    }
}
