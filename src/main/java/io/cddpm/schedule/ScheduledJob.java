package io.cddpm.schedule;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/** The common part of the scheduled jobs: read the YAML path and overrides from the job data, find the launcher. */
abstract class ScheduledJob implements Job {
    static final String YAML = "yaml";
    static final String OVERRIDES = "overrides";
    static final String LAUNCHER = "cddpm.launcher";

    @Override
    public final void execute(JobExecutionContext context) throws JobExecutionException {
        JobDataMap data = context.getMergedJobDataMap();
        Path yaml = Path.of(data.getString(YAML));
        String joined = data.getString(OVERRIDES);
        List<String> overrides = joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split("\n"));
        try {
            Launcher launcher = (Launcher) context.getScheduler().getContext().get(LAUNCHER);
            if (launcher == null) {
                throw new JobExecutionException("no launcher in the scheduler context (the scheduler runs under 'cddpm serve')");
            }
            run(launcher, yaml, overrides);
        } catch (JobExecutionException e) {
            throw e;
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        } catch (Exception e) {
            // logged by Quartz with the job's key; the schedule stays in place for its next fire time
            throw new JobExecutionException(context.getJobDetail().getKey() + " (" + yaml + ") failed: " + e, e, false);
        }
    }

    abstract void run(Launcher launcher, Path yaml, List<String> overrides) throws Exception;
}
