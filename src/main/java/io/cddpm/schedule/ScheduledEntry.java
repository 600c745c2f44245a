package io.cddpm.schedule;

import java.time.Instant;

/** One registered schedule as {@code cddpm schedule list} shows it. */
public record ScheduledEntry(String experiment, JobKind kind, String cron, String yaml, String state, Instant next, Instant previous) {}
