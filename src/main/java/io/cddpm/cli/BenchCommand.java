package io.cddpm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.ModelPreset;
import io.cddpm.config.Precision;
import io.cddpm.config.TrainingFootprint;
import io.cddpm.core.InvalidInputException;
import io.cddpm.train.Benchmark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm bench}: training and sampling throughput of an architecture, as one JSON line. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training images/s, sampling evaluations/s and peak memory of a UNet on this machine.",
        footer = {"Measure train images/s (forward + backward + AdamW + EMA, after warm-up) and sampling",
            "model evaluations/s of an architecture on synthetic data; prints one JSON line.",
            "--config benchmarks an experiment's own network (a custom width too) at its resolution, batch size,",
            "precision, prediction type and loss weighting: the figure to hold 'cddpm run''s img/s against.",
            "A sweep's trials are not expanded: the YAML's base values are used (pick a trial with --set)."})
public final class BenchCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--arch", description = "A named preset: tiny32, base32 (at 32x32) or lab64 (at 64x64).")
        ModelPreset arch;

        @Option(names = "--config", paramLabel = "YAML", description = "An experiment YAML: benchmark its model as 'cddpm run' trains it.")
        Path config;
    }

    @Option(names = "--set", description = "With --config: override a key, e.g. --set model.norm_groups=16 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--batch", description = "Batch size (default 64 with --arch, the experiment's training.batch_size with --config).")
    Integer batch;

    @Option(names = "--iters", defaultValue = "5", description = "Timed iterations (default ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up iterations (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--precision", description = {"fp32 or bf16 (mixed precision: bf16 compute, fp32 weights; needs the native kernels);",
        "default fp32 with --arch, the experiment's training.precision with --config."})
    Precision precision;

    @Override
    public Integer call() throws Exception {
        if ((batch != null && batch <= 0) || iters <= 0 || warmup < 0) {
            throw new InvalidInputException("--batch and --iters must be positive, --warmup >= 0");
        }
        List<String> sets = new ArrayList<>(overrides);
        if (batch != null) {
            sets.add("training.batch_size=" + batch);
        }
        ExperimentConfig experiment;
        String label;
        if (target.arch != null) {
            if (target.arch == ModelPreset.CUSTOM) {
                throw new InvalidInputException("--arch custom: benchmark a named preset (tiny32, base32, lab64), or a custom"
                        + " network with --config YAML");
            }
            if (!overrides.isEmpty()) {
                throw new InvalidInputException("--set applies to --config YAML, not to --arch " + target.arch.id());
            }
            experiment = ConfigLoader.override(Benchmark.presetConfig(target.arch), sets);
            label = target.arch.id();
        } else {
            experiment = ConfigLoader.load(target.config, sets);
            label = target.config.getFileName() + " (" + experiment.model().preset().id() + ")";
        }
        TrainingFootprint.requireFits(experiment, label);
        Benchmark.Result r = Benchmark.run(label, experiment,
                precision == null ? experiment.training().precision() : precision, iters, warmup);
        System.out.println(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).writeValueAsString(r));
        return ExitCodes.OK;
    }
}
