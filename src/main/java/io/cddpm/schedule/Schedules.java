package io.cddpm.schedule;

import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.BuildInfo;
import io.cddpm.core.InvalidInputException;
import io.cddpm.state.QueuedTrial;
import io.cddpm.state.StateDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.DBConnectionManager;

/**
 * The experiments' Quartz schedules and the queue of submitted trials, kept in the JDBC job store in
 * cddpm's state database (H2, or a shared PostgreSQL one: then clustered), so they survive restarts.
 * Schedules are keyed (experiment name, "sweep" | "reeval"), trials by their run folder (group
 * "trials"). One worker thread per device: one job at a time on it. Misfire policy: a fire missed while no scheduler ran (or while
 * the previous run of the same job was still going) fires once as soon as possible, then the cron
 * goes on ({@code MISFIRE_INSTRUCTION_FIRE_ONCE_NOW}); missed fires are never replayed one by one.
 * Opened in standby: it only starts firing jobs after {@link #start(Launcher)}.
 */
public final class Schedules implements AutoCloseable {
    private final Scheduler scheduler;

    private Schedules(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** System property: how often a worker checks in with the cluster, in ms (Quartz's clusterCheckinInterval; default 7500). */
    public static final String CHECKIN_PROPERTY = "cddpm.cluster.checkinMillis";
    /** The Quartz job group of the trials of submitted sweeps. */
    static final String TRIALS = "trials";
    private static final AtomicInteger DATA_SOURCES = new AtomicInteger();

    /**
     * Who runs the jobs: the scheduler's instance id (unique in the cluster; a worker's name in
     * {@code cddpm status}) and how many jobs it runs at once (one per device).
     */
    public record Node(String instanceId, int threads) {}

    /** Opens the schedules in the open state database, to register, list or change them (no jobs run until {@link #start}). */
    public static Schedules open(StateDatabase state) {
        return open(state, new Node("cddpm-" + BuildInfo.host() + "-" + ProcessHandle.current().pid(), 1));
    }

    /**
     * Opens the schedules in the open state database for node. On a shared (PostgreSQL) database the
     * job store is clustered: every worker checks in every {@code -Dcddpm.cluster.checkinMillis} ms,
     * a job runs on one worker at a time, and the jobs of a worker that stops checking in are recovered
     * by another. The caller opens the StateDatabase first, which gives the clear error when another
     * process holds an H2 one.
     */
    public static Schedules open(StateDatabase state, Node node) {
        boolean postgres = state.shared();
        String dataSource = "cddpm-state-" + DATA_SOURCES.incrementAndGet();
        StateConnectionProvider provider = new StateConnectionProvider(state.dataSource(), postgres);
        try {
            provider.initialize();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the Quartz tables in the state database (" + state.where() + "): "
                    + e.getMessage(), e);
        }
        DBConnectionManager.getInstance().addConnectionProvider(dataSource, provider);
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "cddpm");
        p.setProperty("org.quartz.scheduler.instanceId", node.instanceId());
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(node.threads()));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", postgres ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
                : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.dataSource", dataSource);
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        if (postgres) {
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(checkinMillis()));
            p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
            // a trial submitted by another process is seen at the next poll (no in-process signal reaches this one)
            p.setProperty("org.quartz.scheduler.idleWaitTime", "2000");
        }
        try {
            return new Schedules(new StdSchedulerFactory(p).getScheduler());
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot open the Quartz schedules in the state database (" + state.where() + "): "
                    + e.getMessage(), e);
        }
    }

    static long checkinMillis() {
        String value = System.getProperty(CHECKIN_PROPERTY, "7500");
        try {
            long ms = Long.parseLong(value.trim());
            if (ms >= 500) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidInputException("-D" + CHECKIN_PROPERTY + "=" + value + ": milliseconds, a whole number >= 500");
    }

    // ---- the trials of submitted sweeps ---------------------------------------------------------

    /** A trial's job: one per run folder, so a trial is never queued (or run) twice at once. */
    static JobKey trialKey(String runDir) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(runDir.getBytes(StandardCharsets.UTF_8));
            return new JobKey(HexFormat.of().formatHex(digest).substring(0, 32), TRIALS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** Whether the trial in runDir is queued or running now (its job exists). */
    public boolean trialQueued(String runDir) {
        try {
            return scheduler.checkExists(trialKey(runDir));
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot read the trial queue: " + e.getMessage(), e);
        }
    }

    /**
     * Queues a trial for the workers: a job of its own that asks to be recovered when its worker dies,
     * due now (and, while every worker is busy, as soon as one is free).
     */
    public void queueTrial(QueuedTrial trial) {
        JobKey key = trialKey(trial.runDir());
        JobBuilder builder = JobBuilder.newJob(TrialJob.class).withIdentity(key).withDescription(trial.describe())
                .requestRecovery(true);
        trial.toMap().forEach(builder::usingJobData);
        Trigger now = TriggerBuilder.newTrigger().forJob(key).startNow()
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build();
        try {
            scheduler.scheduleJob(builder.build(), now);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot queue " + trial.describe() + ": " + e.getMessage(), e);
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
                if (group.equals(TRIALS)) {
                    continue; // the queue of submitted trials: `cddpm status` shows it
                }
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
            for (JobKey k : experiment.equals(TRIALS) ? Set.<JobKey>of() : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(experiment))) {
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
