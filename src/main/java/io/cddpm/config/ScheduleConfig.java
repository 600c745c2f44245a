package io.cddpm.config;

/**
 * Optional Quartz cron expressions (seconds first, e.g. {@code "0 0 2 * * ?"}); null = not scheduled.
 *
 * @param sweepCron  when to launch the experiment's sweep
 * @param reevalCron when to re-evaluate the finished trials' checkpoints
 */
public record ScheduleConfig(String sweepCron, String reevalCron) {
    public static ScheduleConfig defaults() {
        return new ScheduleConfig(null, null);
    }
}
