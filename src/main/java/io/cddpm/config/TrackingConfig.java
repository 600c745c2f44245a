package io.cddpm.config;

/**
 * MLflow.
 *
 * @param uri        tracking URI; null = $MLFLOW_TRACKING_URI, else the local demo server
 * @param experiment MLflow experiment name; null = the config's {@code name}
 */
public record TrackingConfig(String uri, String experiment) {
    public static TrackingConfig defaults() {
        return new TrackingConfig(null, null);
    }
}
