package io.cddpm.tracking;

/** One metric value as MLflow stores it: key, value, timestamp (epoch ms) and step. */
public record MetricPoint(String key, double value, long timestamp, long step) {}
