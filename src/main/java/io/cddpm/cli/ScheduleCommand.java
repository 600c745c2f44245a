package io.cddpm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cddpm schedule}: the experiments' Quartz crons (sweeps and re-evaluations) that {@code cddpm serve} fires. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "Manage the Quartz crons (nightly sweeps, re-evaluations) that 'cddpm serve' fires.",
        subcommands = {ScheduleJobsCommands.ListSchedules.class, ScheduleJobsCommands.AddSchedule.class,
            ScheduleJobsCommands.RemoveSchedule.class, ScheduleJobsCommands.PauseSchedule.class, ScheduleJobsCommands.ResumeSchedule.class})
public final class ScheduleCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: list, add, remove, pause or resume (see `cddpm schedule --help`)");
    }
}
