package io.cddpm.cli;

import io.cddpm.config.ModelPreset;
import io.cddpm.config.Precision;
import io.cddpm.core.InvalidInputException;
import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.PredictionType;
import io.cddpm.diffusion.SamplerKind;
import java.util.function.Function;
import picocli.CommandLine;

/** The meaning of cddpm's exit codes, and the handler that maps exceptions to them. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int BAD_INPUT = 2;
    /** Stopped by SIGTERM or Ctrl-C after saving its progress (128 + SIGINT, as shells report an interrupted command). */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}

    /** A converter from an id whose error is the lookup's own "unknown ... (valid: ...)" message. */
    private static <T> CommandLine.ITypeConverter<T> byId(Function<String, T> of) {
        return id -> {
            try {
                return of.apply(id);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        };
    }

    /** A picocli command line whose errors print one clear line and exit with the right code. */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setHelpFactory(WrappingHelp::new); // help text breaks at spaces, never inside "images.npz"
        // enum options take the same lowercase ids as the YAML (linear, squaredcos_cap_v2, ddim, tiny32, ...)
        cl.registerConverter(BetaSchedule.class, byId(BetaSchedule::of));
        cl.registerConverter(PredictionType.class, byId(PredictionType::of));
        cl.registerConverter(SamplerKind.class, byId(SamplerKind::of));
        cl.registerConverter(ModelPreset.class, byId(ModelPreset::of));
        cl.registerConverter(Precision.class, byId(Precision::of));
        cl.setExitCodeExceptionMapper(e -> e instanceof InvalidInputException || e instanceof CommandLine.ParameterException ? BAD_INPUT : FAILURE);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CommandLine.ParameterException pe) {
                commandLine.getErr().println("cddpm: " + pe.getMessage());
                pe.getCommandLine().usage(commandLine.getErr());
                return BAD_INPUT;
            }
            if (e instanceof InvalidInputException) {
                commandLine.getErr().println("cddpm: error: " + e.getMessage());
                return BAD_INPUT;
            }
            commandLine.getErr().println("cddpm: failed: " + e);
            if (System.getenv("CDDPM_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            } else {
                commandLine.getErr().println("(set CDDPM_DEBUG=1 for the stack trace)");
            }
            return FAILURE;
        });
        return cl;
    }
}
