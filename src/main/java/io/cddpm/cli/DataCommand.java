package io.cddpm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cddpm data}: render and validate datasets. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Render, validate and cache i-CLEVR datasets; draw new label sets.", subcommands = {DataSynthCommand.class, DataCheckCommand.class, DataCacheCommand.class, DataConditionsCommand.class})
public final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand (see `cddpm data --help`)");
    }
}
