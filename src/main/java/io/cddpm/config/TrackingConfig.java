package io.cddpm.config;

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
}
