package io.cddpm.cli;

/** Entry point of the {@code cddpm} program. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code: 0 ok, 1 failure, 2 bad usage or input. */
    public static int run(String... args) {
        return ExitCodes.commandLine(new CddpmCommand()).execute(args);
    }
}
