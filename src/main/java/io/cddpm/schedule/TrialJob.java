package io.cddpm.schedule;

import io.cddpm.state.QueuedTrial;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One trial of a submitted sweep, as a Quartz job of its own: a worker with a free device takes it,
 * never two at once (non-concurrent, one job per run folder), and when that worker dies the cluster's
 * check-in notices and another worker recovers the job ({@code requestsRecovery}), which resumes the
 * trial from its newest checkpoint. A trial stopped by SIGTERM, or whose folder another process holds,
 * or whose worker hit an error outside the trial (e.g. the state database went away), is queued again.
 */
@DisallowConcurrentExecution
public final class TrialJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(TrialJob.class);
    /** How long a trial whose folder is held elsewhere, or whose worker failed around it, waits before it is tried again. */
    static final Duration RETRY = Duration.ofSeconds(30);

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        Map<String, Object> data = new HashMap<>(context.getJobDetail().getJobDataMap().getWrappedMap());
        QueuedTrial trial = QueuedTrial.fromMap(data);
        Launcher.TrialOutcome outcome;
        try {
            Launcher launcher = (Launcher) context.getScheduler().getContext().get(ScheduledJob.LAUNCHER);
            if (launcher == null) {
                throw new JobExecutionException("no launcher in the scheduler context (trials run under 'cddpm worker')");
            }
            outcome = launcher.trial(trial, context.isRecovering());
        } catch (Exception e) {
            LOG.error("{} of sweep {}: the worker could not run it ({}); queued again in {} s", trial.describe(), trial.sweepKey(), e,
                    RETRY.toSeconds(), e);
            outcome = Launcher.TrialOutcome.BUSY;
        }
        if (outcome != Launcher.TrialOutcome.ENDED) {
            Duration delay = outcome == Launcher.TrialOutcome.STOPPED ? Duration.ZERO : RETRY;
            try {
                context.getScheduler().scheduleJob(TriggerBuilder.newTrigger().forJob(context.getJobDetail().getKey())
                        .startAt(new Date(System.currentTimeMillis() + delay.toMillis()))
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build());
            } catch (SchedulerException e) {
                throw new JobExecutionException(trial.describe() + ": cannot queue it again: " + e.getMessage(), e, false);
            }
        }
    }
}
