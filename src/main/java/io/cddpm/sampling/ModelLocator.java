package io.cddpm.sampling;

import io.cddpm.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the files a model reference names, for a cascade's {@code sampling.base}: a checkpoint, a model
 * package folder, and, where the caller can resolve them (the command line and the pipeline), a shipped
 * model's short name or a registered model {@code models:/NAME/VERSION}.
 */
@FunctionalInterface
public interface ModelLocator {
    /** The checkpoint file or package folder {@code reference} names; throws InvalidInputException naming it otherwise. */
    Path locate(String reference);

    /** References as paths only: the file or folder must exist. */
    ModelLocator FILES = reference -> {
        Path p = Path.of(reference);
        if (!Files.exists(p)) {
            throw new InvalidInputException("sampling.base " + reference + ": no such checkpoint file or model package folder");
        }
        return p;
    };
}
