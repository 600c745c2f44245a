package io.cddpm.cli;

import io.cddpm.config.ConfigLoader;
import io.cddpm.core.StopRequest;
import io.cddpm.pipeline.PipelineRunner;
import io.cddpm.pipeline.Reevaluation;
import io.cddpm.pipeline.TrialRun;
import io.cddpm.schedule.Launcher;
import io.cddpm.schedule.Schedules;
import io.cddpm.state.QueuedTrial;
import io.cddpm.state.StateDatabase;
import java.nio.file.Path;
import java.util.List;

/**
 * How {@code serve} and {@code worker} run what Quartz fires: re-evaluations and queued trials through
 * the pipeline; a scheduled sweep runs here, one trial after another ({@code serve}), or is submitted
 * so that the trials spread over the workers ({@code worker}).
 */
final class JobLauncher implements Launcher {
    private final String worker;
    private final String device;
    private final StateDatabase state;
    private final Schedules schedules;
    private final boolean submitSweeps;

    /**
     * @param worker       this process's id in the cluster (recorded with the trials it runs)
     * @param device       the device trials train on here, or null for each trial's training.device
     * @param submitSweeps whether a scheduled sweep is submitted to the workers instead of run here
     */
    JobLauncher(String worker, String device, StateDatabase state, Schedules schedules, boolean submitSweeps) {
        this.worker = worker;
        this.device = device;
        this.state = state;
        this.schedules = schedules;
        this.submitSweeps = submitSweeps;
    }

    @Override
    public void sweep(Path yaml, List<String> overrides) throws Exception {
        if (submitSweeps) {
            System.out.println("scheduled sweep: " + yaml + ": submitting its trials to the workers");
            RunCommand.printSubmission(new PipelineRunner(System.out).submit(ConfigLoader.load(yaml, overrides), state,
                    schedules::trialQueued, schedules::queueTrial));
        } else {
            System.out.println("scheduled sweep: " + yaml);
            new PipelineRunner(System.out).run(ConfigLoader.load(yaml, overrides));
        }
    }

    @Override
    public void reevaluate(Path yaml, List<String> overrides) throws Exception {
        System.out.println("scheduled re-evaluation: " + yaml);
        Reevaluation.run(ConfigLoader.load(yaml, overrides), System.out);
    }

    @Override
    public TrialOutcome trial(QueuedTrial trial, boolean recovering) throws Exception {
        TrialRun run = new PipelineRunner(System.out).runQueued(trial, worker, device, recovering);
        if (run.interrupted() || StopRequest.requested() && !run.status().ended()) {
            return TrialOutcome.STOPPED;
        }
        return run.skipped() ? TrialOutcome.BUSY : TrialOutcome.ENDED;
    }
}
