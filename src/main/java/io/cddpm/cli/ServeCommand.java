package io.cddpm.cli;

import io.cddpm.schedule.Schedules;
import io.cddpm.state.StateDatabase;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/** {@code cddpm serve}: the long-running scheduler that fires the registered sweeps and re-evaluations. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Fire the registered schedules (sweeps, re-evaluations) one job at a time until SIGTERM or Ctrl-C.",
        footer = {"Run the Quartz scheduler over the schedules registered with 'cddpm schedule add' (kept in the",
            "state database): each fire runs the sweep or re-evaluation through the Camel pipeline, one job at a time.",
            "It also runs trials submitted with 'cddpm run --submit' to this state database, as a worker would.",
            "SIGTERM or Ctrl-C stops it cleanly (exit 0): a running sweep stops after its current training step with a",
            "step-exact checkpoint and resumes from it next time; the state database closes last.",
            "Several machines: see 'cddpm worker', which submits a scheduled sweep's trials to all workers instead."})
public final class ServeCommand implements Callable<Integer> {
    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        // the state database first: a second process gets the clear "in use by another cddpm process" error
        try (Interrupts interrupts = Interrupts.install(stop::countDown);
                StateDatabase state = StateDatabase.open(); Schedules schedules = Schedules.open(state)) {
            ScheduleJobsCommands.print(schedules.list());
            schedules.start(new JobLauncher(WorkerCommand.workerId(), null, state, schedules, false));
            System.out.println("scheduler started (state " + state.where() + "); SIGTERM or Ctrl-C stops it");
            stop.await();
            System.out.println("stopping ...");
            // a running job stops at its next safe point (StopRequest) and saves its progress: wait for it, then close
            schedules.shutdown(true);
        }
        System.out.println("stopped");
        return ExitCodes.OK;
    }
}
