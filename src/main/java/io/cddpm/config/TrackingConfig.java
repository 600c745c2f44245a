package io.cddpm.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * MLflow.
 *
 * @param uri                   tracking URI; null = $MLFLOW_TRACKING_URI, else the local demo server
 * @param experiment            MLflow experiment name; null = the config's {@code name}
 * @param systemMetricsInterval seconds between two samples of CPU, memory and GPU load while a trial
 *                              trains (MLflow's system metrics); 0 = none. Not part of a config's hash.
 */
public record TrackingConfig(String uri, String experiment, int systemMetricsInterval) {
    public static final int DEFAULT_SYSTEM_METRICS_INTERVAL = 10;

    public TrackingConfig(String uri, String experiment) {
        this(uri, experiment, DEFAULT_SYSTEM_METRICS_INTERVAL);
    }

    public static TrackingConfig defaults() {
        return new TrackingConfig(null, null, DEFAULT_SYSTEM_METRICS_INTERVAL);
    }

    /** True for the address of an MLflow tracking server: an http or https URL with a host (cddpm speaks its REST API). */
    public static boolean isServerUri(String text) {
        try {
            URI uri = new URI(text.trim());
            return uri.getScheme() != null && (uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
