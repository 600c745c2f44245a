package io.cddpm.tracking;

import io.cddpm.config.TrackingConfig;
import io.cddpm.config.TrackingUris;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The MLflow server a command tracks to: {@code tracking.uri} from the YAML, else
 * {@code $MLFLOW_TRACKING_URI}, else a local server that this endpoint starts (data in
 * localDataDir, e.g. {@code mlruns/}) and stops on {@link #close()}.
 */
public final class TrackingEndpoint implements AutoCloseable {
    public static final String URI_ENV = "MLFLOW_TRACKING_URI";

    private final String uri;
    private final MlflowServer local;

    private TrackingEndpoint(String uri, MlflowServer local) {
        this.uri = uri;
        this.local = local;
    }

    /** The configured tracking URI (YAML first, then the environment), if any; refuses credentials in the environment's. */
    public static Optional<String> configuredUri(TrackingConfig config) {
        return configuredUri(config, System.getenv());
    }

    /**
     * The configured tracking URI: the YAML's, else {@code env[MLFLOW_TRACKING_URI]}, if any.
     *
     * @throws InvalidInputException when {@code $MLFLOW_TRACKING_URI} holds credentials (whether or not the YAML names a server)
     */
    public static Optional<String> configuredUri(TrackingConfig config, Map<String, String> env) {
        String fromEnv = env.get(URI_ENV);
        TrackingUris.refuseCredentials(fromEnv, "$" + URI_ENV);
        if (config != null && config.uri() != null && !config.uri().isBlank()) {
            return Optional.of(config.uri().trim());
        }
        return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(fromEnv.trim());
    }

    /** Uses the configured server, or starts the local one and prints its UI address to out. */
    public static TrackingEndpoint open(TrackingConfig config, Path localDataDir, PrintStream out) throws IOException {
        Optional<String> configured = configuredUri(config);
        if (configured.isPresent()) {
            return new TrackingEndpoint(configured.get(), null);
        }
        MlflowServer server = MlflowServer.startForDemo(localDataDir, out);
        return new TrackingEndpoint(server.trackingUri(), server);
    }

    public String uri() {
        return uri;
    }

    /** The prefix of a local server's {@link #serverId()}. */
    public static final String LOCAL_PREFIX = "local:";

    /**
     * The server's identity in the tracking outbox: the configured URI, or for the local server
     * {@code local:<its data folder>} (its port changes from one command to the next, its data does not).
     */
    public String serverId() {
        return local == null ? uri : LOCAL_PREFIX + local.dataDir();
    }

    /** The server this endpoint started, when no URI was configured. */
    public Optional<MlflowServer> localServer() {
        return Optional.ofNullable(local);
    }

    /** Stops the local server, if one was started (its data stays; {@code mlflow/serve.sh} shows it again). */
    @Override
    public void close() {
        if (local != null) {
            local.stop();
        }
    }
}
