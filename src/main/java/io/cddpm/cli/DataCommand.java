package io.cddpm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cddpm data}: render and validate datasets. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Render (synth) and validate (check) i-CLEVR datasets.", subcommands = {DataSynthCommand.class, DataCheckCommand.class, DataCacheCommand.class})
public final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand (see `cddpm data --help`)");
    }
}
