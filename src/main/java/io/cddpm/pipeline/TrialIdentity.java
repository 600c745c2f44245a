package io.cddpm.pipeline;

import io.cddpm.config.ConfigHash;
import io.cddpm.config.ConfigLoader;
import io.cddpm.state.StateDatabase;
import io.cddpm.state.TrialStore;
import java.util.Optional;

/**
 * What makes two trials the same trial: {@link ConfigHash#of}, the hash of what determines the weights.
 * A state database written when the hash covered every key (sampling, evaluation, tracking and schedule
 * too) is re-keyed once when the pipeline opens it, from the YAML each trial row keeps, so its finished
 * trials are reused, not trained again.
 */
public final class TrialIdentity {
    /** The version of the identity stored in the state database; a new meaning of the hash needs a new name. */
    public static final TrialStore.Identity CURRENT = new TrialStore.Identity("training-v1", TrialIdentity::ofStoredYaml);

    private TrialIdentity() {}

    /** The trials of the state database, keyed by the current identity. */
    public static TrialStore store(StateDatabase state) {
        return new TrialStore(state.dataSource(), CURRENT);
    }

    private static Optional<String> ofStoredYaml(String yaml) {
        try {
            return Optional.of(ConfigHash.of(ConfigLoader.fromYaml(yaml, "a trial's config in the state database")));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
