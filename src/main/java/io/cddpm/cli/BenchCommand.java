package io.cddpm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.cddpm.config.ModelPreset;
import io.cddpm.config.Precision;
import io.cddpm.core.InvalidInputException;
import io.cddpm.train.Benchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm bench}: training and sampling throughput of an architecture, as one JSON line. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training images/s, sampling evaluations/s and peak memory of a UNet on this machine.",
        footer = {"Measure train images/s (forward + backward + AdamW + EMA, after warm-up) and sampling", "model evaluations/s of an architecture on synthetic data; prints one JSON line."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--arch", required = true, description = "tiny32, base32 or lab64.")
    ModelPreset arch;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--iters", defaultValue = "5", description = "Timed iterations (default ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up iterations (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 or bf16 (mixed precision: bf16 compute, fp32 weights; needs the native kernels).")
    Precision precision;

    @Override
    public Integer call() throws Exception {
        if (arch == ModelPreset.CUSTOM) {
            throw new InvalidInputException("--arch custom: benchmark a named preset (tiny32, base32, lab64)");
        }
        if (batch <= 0 || iters <= 0 || warmup < 0) {
            throw new InvalidInputException("--batch and --iters must be positive, --warmup >= 0");
        }
        Benchmark.Result r = Benchmark.run(arch, precision, batch, iters, warmup);
        System.out.println(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).writeValueAsString(r));
        return ExitCodes.OK;
    }
}
