package io.cddpm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cddpm.config.DiffusionConfig;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.Limits;
import io.cddpm.diffusion.BetaSchedule;
import io.cddpm.diffusion.DdimScheduler;
import io.cddpm.diffusion.NoiseSchedule;
import io.cddpm.diffusion.PredictionType;
import io.cddpm.diffusion.SchedulerConfig;
import io.cddpm.viz.SchedulePlot;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm noise-schedule}: inspect noise schedules (JSON values or a comparison plot). */
@Command(name = "noise-schedule", mixinStandardHelpOptions = true,
        description = "Show noise schedules: betas, alphas_cumprod and DDIM timesteps as JSON, or a plot of alpha_bar(t).")
public final class NoiseScheduleCommand implements Callable<Integer> {
    @Option(names = "--beta-schedule", description = "linear, scaled_linear or squaredcos_cap_v2 (default for the plot: all three).")
    BetaSchedule schedule;

    @Option(names = "--train-timesteps", defaultValue = "1000", description = "T, at most 100,000 (default ${DEFAULT-VALUE}).")
    int timesteps;

    @Option(names = "--beta-start", defaultValue = "0.0001", description = "First beta (default ${DEFAULT-VALUE}).")
    double betaStart;

    @Option(names = "--beta-end", defaultValue = "0.02", description = "Last beta (default ${DEFAULT-VALUE}).")
    double betaEnd;

    @Option(names = "--ddim-steps", description = "Also list the DDIM timesteps for N steps.")
    Integer ddimSteps;

    @Option(names = "--resolution", description = "With --snr-shift-resolution: the image side the schedule is for.")
    Integer resolution;

    @Option(names = "--snr-shift-resolution", paramLabel = "BASE", description = {"Shift every log-SNR by 2 log(BASE / resolution),"
        + " as diffusion.snr_shift_resolution does (\"simple diffusion\"); the plot draws each schedule with and without it."})
    Integer shiftBase;

    @Option(names = "--json", description = "Print JSON instead of writing a plot.")
    boolean json;

    @Option(names = "--out", defaultValue = "schedules.png", description = "Plot file (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (timesteps > Limits.MAX_TRAIN_TIMESTEPS) {
            throw new InvalidInputException("--train-timesteps " + timesteps + ": the limit is " + Limits.MAX_TRAIN_TIMESTEPS);
        }
        if (!json) {
            OutputPaths.file(out, "--out"); // a folder would take the plot nowhere while "wrote" was printed
        }
        if ((resolution == null) != (shiftBase == null)) {
            throw new InvalidInputException("--snr-shift-resolution and --resolution go together: the shift is 2 log(BASE / resolution)");
        }
        requireImageSide("--resolution", resolution);
        requireImageSide("--snr-shift-resolution", shiftBase);
        double shift = resolution == null ? 0.0 : DiffusionConfig.logSnrShift(shiftBase, resolution);
        BetaSchedule chosen = schedule != null ? schedule : BetaSchedule.LINEAR;
        SchedulerConfig config = new SchedulerConfig(timesteps, betaStart, betaEnd, chosen, PredictionType.EPSILON, true, 1.0, 0, true, shift);
        int[] ddim = ddimSteps == null ? null : new DdimScheduler(config, ddimSteps, 0.0).timesteps();
        if (json) {
            NoiseSchedule s = NoiseSchedule.of(config);
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            root.put("beta_schedule", chosen.id());
            root.put("num_train_timesteps", timesteps);
            if (shift != 0.0) {
                root.put("log_snr_shift", shift);
            }
            ArrayNode betas = root.putArray("betas");
            for (float b : s.betas()) {
                betas.add(b);
            }
            ArrayNode ab = root.putArray("alphas_cumprod");
            for (float a : s.alphasCumprod()) {
                ab.add(a);
            }
            if (ddim != null) {
                ArrayNode ts = root.putArray("ddim_timesteps");
                Arrays.stream(ddim).forEach(ts::add);
            }
            System.out.println(mapper.writeValueAsString(root));
            return ExitCodes.OK;
        }
        List<BetaSchedule> shown = schedule != null ? List.of(schedule) : List.of(BetaSchedule.values());
        SchedulePlot.write(config, shown, out);
        System.out.println("wrote " + out + " (" + shown + (shift == 0.0 ? ""
                : ", each also with its log-SNR shifted by 2 log(" + shiftBase + "/" + resolution + ") = " + String.format("%.3f", shift)) + ")");
        return ExitCodes.OK;
    }

    private static void requireImageSide(String option, Integer side) {
        if (side != null && (side < 1 || side > Limits.MAX_IMAGE_SIZE)) {
            throw new InvalidInputException(option + " " + side + ": must be between 1 and " + Limits.MAX_IMAGE_SIZE + " pixels");
        }
    }
}
