package io.cddpm.schedule;

import io.cddpm.config.ScheduleConfig;
import io.cddpm.core.InvalidInputException;
import org.quartz.Job;

/** The two things an experiment can schedule, with the YAML key of each cron and the Quartz job class. */
public enum JobKind {
    SWEEP("sweep", "schedule.sweep_cron", SweepJob.class),
    REEVAL("reeval", "schedule.reeval_cron", ReevaluateJob.class);

    private final String id;
    private final String key;
    private final Class<? extends Job> jobClass;

    JobKind(String id, String key, Class<? extends Job> jobClass) {
        this.id = id;
        this.key = key;
        this.jobClass = jobClass;
    }

    public String id() {
        return id;
    }

    /** The YAML key that holds this kind's cron. */
    public String yamlKey() {
        return key;
    }

    Class<? extends Job> jobClass() {
        return jobClass;
    }

    /** This kind's cron in a schedule section, or null. */
    public String cron(ScheduleConfig s) {
        return this == SWEEP ? s.sweepCron() : s.reevalCron();
    }

    public static JobKind of(String id) {
        for (JobKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new InvalidInputException("unknown schedule kind '" + id + "' (sweep or reeval)");
    }
}
