package io.cddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Engines;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With the ideal denoiser for a one-image data set (it knows x*, so eps = (x_t - sqrt(ab) x*) / sqrt(1 - ab)),
 * every sampler must land on x*: this checks the loop, the schedulers and their wiring together.
 */
class SamplingLoopTest {
    @ParameterizedTest
    @CsvSource({"ddpm, epsilon, linear", "ddim, epsilon, linear", "ddim, sample, squaredcos_cap_v2",
        "ddpm, v_prediction, squaredcos_cap_v2", "ddim, v_prediction, scaled_linear"})
    void idealDenoiserRecoversTheImage(String sampler, String prediction, String schedule) {
        Engines.pytorch();
        SchedulerConfig config = SchedulerConfig.defaults().withBetaSchedule(BetaSchedule.of(schedule))
                .withPredictionType(PredictionType.of(prediction));
        NoiseSchedule ns = NoiseSchedule.of(config);
        Scheduler scheduler = sampler.equals("ddpm") ? new DdpmScheduler(config) : new DdimScheduler(config, 50, 0.0);
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 3, 4, 4);
            NDArray target = SamplingLoop.gaussian(manager, shape, new SplittableRandom(5)).clip(-0.9, 0.9);
            Denoiser ideal = (x, t) -> {
                double a = Math.sqrt(ns.alphaBar(t));
                double b = Math.sqrt(1 - ns.alphaBar(t));
                NDArray x0 = target.duplicate();
                NDArray eps = x.sub(x0.mul(a)).div(b);
                return switch (config.predictionType()) {
                    case EPSILON -> eps;
                    case SAMPLE -> x0;
                    case V_PREDICTION -> eps.mul(a).sub(x0.mul(b));
                };
            };
            List<Integer> seen = new ArrayList<>();
            NDArray out = new SamplingLoop(scheduler).run(manager, shape, ideal, 3, (i, t, s) -> seen.add(t));
            float err = out.sub(target).abs().max().getFloat();
            assertTrue(err < 1e-3, sampler + " ended " + err + " away from the image");
            assertArrayEquals(scheduler.timesteps(), seen.stream().mapToInt(Integer::intValue).toArray());
            NDArray again = new SamplingLoop(scheduler).run(manager, shape, ideal, 3, null);
            assertArrayEquals(out.toFloatArray(), again.toFloatArray(), "same seed, same images");
        }
    }
}
