package io.cddpm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code cddpm} command; every capability is a subcommand. */
@Command(
        name = "cddpm",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Conditional DDPM pipeline: render data, train, sample, evaluate, compare and track experiments.",
        subcommands = {
            DataCommand.class,
            TrainCommand.class,
            ResumeCommand.class,
            SampleCommand.class,
            BenchCommand.class,
            EvaluatorCommand.class,
            ReevaluateCommand.class,
            ServeCommand.class,
            WorkerCommand.class,
            StatusCommand.class,
            ScheduleCommand.class,
            NoiseScheduleCommand.class,
            RunCommand.class,
            EvaluateCommand.class,
            SamplingTableCommand.class,
            ReportCommand.class,
            ConfigCommand.class,
            InspectCommand.class,
            OutboxCommand.class,
            ModelCommand.class,
        })
public final class CddpmCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command (see `cddpm --help`)");
    }
}
