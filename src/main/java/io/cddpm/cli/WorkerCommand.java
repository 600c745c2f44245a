package io.cddpm.cli;

import io.cddpm.config.TrainingConfig;
import io.cddpm.core.BuildInfo;
import io.cddpm.core.InvalidInputException;
import io.cddpm.schedule.Schedules;
import io.cddpm.state.StateDatabase;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm worker}: one member of the cluster that runs queued trials, scheduled sweeps and re-evaluations. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Join the workers of the state database and run what is due: submitted trials, sweeps, re-evaluations.",
        footer = {"Joins the cluster of workers sharing the state database ($CDDPM_STATE=jdbc:postgresql://host/db, user and",
            "password in $CDDPM_STATE_USER/$CDDPM_STATE_PASSWORD; Quartz's clustered job store) and runs one job at a time",
            "on its device: the trials of sweeps submitted with 'cddpm run FILE --submit' (each its own job), the",
            "re-evaluations registered with 'cddpm schedule add', and scheduled sweeps, whose trials it submits to all",
            "workers. N workers run N trials at once; a trial never runs on two. When a worker dies (kill -9, power",
            "loss), another notices within about two check-in intervals (-Dcddpm.cluster.checkinMillis, default 7500)",
            "and resumes its trial from the newest checkpoint in the shared output_dir, into the same MLflow run.",
            "One worker per GPU: CUDA_VISIBLE_DEVICES=N cddpm worker --device gpu. SIGTERM or Ctrl-C stops it (exit 0):",
            "the running trial saves a step-exact checkpoint and goes back to the queue for the next worker.",
            "With an H2 state folder it works alone on this machine (like serve, but submitting scheduled sweeps)."})
public final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--device", description = {"Train the trials on this device (auto, cpu, gpu, gpu:N) instead of each trial's",
        "training.device; the trial's config, and so its identity, stay as submitted. Default: the trial's."})
    String device;

    /** This process's id among the workers: host and process id. */
    static String workerId() {
        return BuildInfo.host() + "-" + ProcessHandle.current().pid();
    }

    @Override
    public Integer call() throws InterruptedException {
        if (device != null && !TrainingConfig.isDevice(device)) {
            throw new InvalidInputException("--device " + device + ": not a device (auto, cpu, gpu, gpu:N)");
        }
        String id = workerId();
        CountDownLatch stop = new CountDownLatch(1);
        try (Interrupts interrupts = Interrupts.install(stop::countDown);
                StateDatabase state = StateDatabase.open(); Schedules schedules = Schedules.open(state, new Schedules.Node(id, 1))) {
            schedules.start(new JobLauncher(id, device, state, schedules, true));
            System.out.println("worker " + id + " started (state " + state.where() + (state.shared() ? ", clustered" : ", this machine only")
                    + (device == null ? "" : ", device " + device) + "); SIGTERM or Ctrl-C stops it");
            stop.await();
            System.out.println("stopping ...");
            // a running trial stops at its next training step, saves its progress and is queued again: wait for it
            schedules.shutdown(true);
        }
        System.out.println("stopped");
        return ExitCodes.OK;
    }
}
