package io.cddpm.runs;

/**
 * One line of a run's history.json ({@code {"epochs":[{...}, ...]}}), written by the trainer after
 * every epoch. Only {@code epoch} and {@code loss} are required; the rest may be null.
 *
 * @param imagesPerS training throughput of the epoch
 * @param seconds    wall time of the epoch
 * @param step       optimizer steps done at the end of the epoch
 * @param residentMib the process's resident memory at the end of the epoch (MiB), to see that it stays flat
 */
public record EpochRecord(int epoch, double loss, Double lr, Double imagesPerS, Double seconds, Long step, Long residentMib) {}
