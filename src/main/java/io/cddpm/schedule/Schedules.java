package io.cddpm.schedule;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.InvalidInputException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * The experiments' Quartz schedules, kept in the JDBC job store in cddpm's H2 state database, so
 * they survive restarts. Jobs are keyed (experiment name, "sweep" | "reeval"). One worker thread:
 * one job at a time on the device. Misfire policy: a fire missed while no scheduler ran (or while
 * the previous run of the same job was still going) fires once as soon as possible, then the cron
 * goes on ({@code MISFIRE_INSTRUCTION_FIRE_ONCE_NOW}); missed fires are never replayed one by one.
 * Opened in standby: it only starts firing jobs after {@link #start(Launcher)}.
 */
public final class Schedules implements AutoCloseable {
    private final Scheduler scheduler;

    private Schedules(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Opens the schedules in the state database at {@code jdbcUrl} (e.g. StateDatabase.url(): the caller opens the StateDatabase first, which gives the clear error when another process holds it). */
    public static Schedules open(String jdbcUrl) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "cddpm");
        p.setProperty("org.quartz.scheduler.instanceId", "cddpm");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", "1");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.dataSource", "cddpm");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        p.setProperty("org.quartz.dataSource.cddpm.connectionProvider.class", H2ConnectionProvider.class.getName());
        p.setProperty("org.quartz.dataSource.cddpm.url", jdbcUrl);
        try {
            return new Schedules(new StdSchedulerFactory(p).getScheduler());
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot open the Quartz schedules in " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /**
     * Registers (or replaces) the experiment's crons: {@code schedule.sweep_cron} and
     * {@code schedule.reeval_cron}. Fails naming the file when it has neither.
     */
    public List<ScheduledEntry> add(Path yaml, List<String> overrides, ExperimentConfig experiment) {
        List<JobKind> kinds = new ArrayList<>();
        for (JobKind k : JobKind.values()) {
            if (k.cron(experiment.schedule()) != null) {
                kinds.add(k);
            }
        }
        if (kinds.isEmpty()) {
            throw new InvalidInputException(yaml + ": no schedule to add: set schedule.sweep_cron and/or schedule.reeval_cron "
                    + "(Quartz cron, seconds first, e.g. \"0 0 2 * * ?\")");
        }
        try {
            for (JobKind k : kinds) {
                JobKey key = new JobKey(k.id(), experiment.experimentName());
                JobDetail job = JobBuilder.newJob(k.jobClass()).withIdentity(key)
                        .withDescription(k.id() + " of " + experiment.experimentName())
                        .usingJobData(ScheduledJob.YAML, yaml.toAbsolutePath().normalize().toString())
                        .usingJobData(ScheduledJob.OVERRIDES, String.join("\n", overrides))
                        .storeDurably()
                        .build();
                Trigger trigger = TriggerBuilder.newTrigger().withIdentity(k.id(), experiment.experimentName()).forJob(key)
                        .withSchedule(CronScheduleBuilder.cronSchedule(k.cron(experiment.schedule()))
                                .withMisfireHandlingInstructionFireAndProceed())
                        .build();
                scheduler.scheduleJob(job, Set.of(trigger), true);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot store the schedule of " + yaml + ": " + e.getMessage(), e);
        }
        return list().stream().filter(e -> e.experiment().equals(experiment.experimentName())).toList();
    }

    /** Every registered schedule, by experiment then kind. */
    public List<ScheduledEntry> list() {
        try {
            List<ScheduledEntry> out = new ArrayList<>();
            for (String group : scheduler.getJobGroupNames()) {
                for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(group))) {
                    JobDetail job = scheduler.getJobDetail(key);
                    for (Trigger t : scheduler.getTriggersOfJob(key)) {
                        out.add(new ScheduledEntry(group, JobKind.of(key.getName()),
                                t instanceof CronTrigger c ? c.getCronExpression() : "", job.getJobDataMap().getString(ScheduledJob.YAML),
                                scheduler.getTriggerState(t.getKey()).name(), instant(t.getNextFireTime()), instant(t.getPreviousFireTime())));
                    }
                }
            }
            out.sort(Comparator.comparing(ScheduledEntry::experiment).thenComparing(ScheduledEntry::kind));
            return out;
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot read the schedules: " + e.getMessage(), e);
        }
    }

    /** Removes the experiment's schedules (one kind, or both when {@code kind} is null); returns how many. */
    public int remove(String experiment, JobKind kind) {
        List<JobKey> keys = keys(experiment, kind);
        try {
            scheduler.deleteJobs(keys);
            return keys.size();
        } catch (SchedulerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public void pause(String experiment, JobKind kind) {
        try {
            for (JobKey k : keys(experiment, kind)) {
                scheduler.pauseJob(k);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public void resume(String experiment, JobKind kind) {
        try {
            for (JobKey k : keys(experiment, kind)) {
                scheduler.resumeJob(k);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The experiment's job keys; an unknown experiment (or kind) fails with the names that exist. */
    private List<JobKey> keys(String experiment, JobKind kind) {
        try {
            List<JobKey> keys = new ArrayList<>();
            for (JobKey k : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(experiment))) {
                if (kind == null || k.getName().equals(kind.id())) {
                    keys.add(k);
                }
            }
            if (keys.isEmpty()) {
                List<String> known = list().stream().map(e -> e.experiment() + "/" + e.kind().id()).toList();
                throw new InvalidInputException("no schedule '" + experiment + (kind == null ? "" : "/" + kind.id()) + "'; scheduled: "
                        + (known.isEmpty() ? "none (cddpm schedule add FILE.yaml)" : String.join(", ", known)));
            }
            return keys;
        } catch (SchedulerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Starts firing jobs, which run through {@code launcher}. */
    public void start(Launcher launcher) {
        try {
            scheduler.getContext().put(ScheduledJob.LAUNCHER, launcher);
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the scheduler: " + e.getMessage(), e);
        }
    }

    /** Stops the scheduler; with {@code waitForJobs} a running job is allowed to finish first. */
    public void shutdown(boolean waitForJobs) {
        try {
            if (!scheduler.isShutdown()) {
                scheduler.shutdown(waitForJobs);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The trigger of a schedule (for tests and serve's status line). */
    Trigger trigger(String experiment, JobKind kind) throws SchedulerException {
        return scheduler.getTrigger(new TriggerKey(kind.id(), experiment));
    }

    @Override
    public void close() {
        shutdown(false);
    }

    private static Instant instant(Date d) {
        return d == null ? null : d.toInstant();
    }
}
