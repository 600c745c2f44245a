package io.cddpm.schedule;

import java.nio.file.Path;
import java.util.List;
import org.quartz.DisallowConcurrentExecution;

/** Launches an experiment's sweep; never twice at once (a fire during a running sweep waits for it, then misfire rules apply). */
@DisallowConcurrentExecution
public final class SweepJob extends ScheduledJob {
    @Override
    void run(Launcher launcher, Path yaml, List<String> overrides) throws Exception {
        launcher.sweep(yaml, overrides);
    }
}
