package io.cddpm.schedule;

import java.nio.file.Path;
import java.util.List;
import org.quartz.DisallowConcurrentExecution;

/** Re-evaluates an experiment's finished trials; never twice at once. */
@DisallowConcurrentExecution
public final class ReevaluateJob extends ScheduledJob {
    @Override
    void run(Launcher launcher, Path yaml, List<String> overrides) throws Exception {
        launcher.reevaluate(yaml, overrides);
    }
}
