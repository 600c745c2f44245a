package io.cddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * every sampler must land on x*: this checks the loop, the schedulers and their wiring together. Running the same
 * scheduler twice gives the same images, so no state leaks from one run (one batch) into the next.
 */
class SamplingLoopTest {
    @ParameterizedTest
    @CsvSource({"ddpm, 1000, epsilon, linear", "ddim, 50, epsilon, linear", "ddim, 50, sample, squaredcos_cap_v2",
        "ddpm, 1000, v_prediction, squaredcos_cap_v2", "ddim, 50, v_prediction, scaled_linear", "dpmpp_2m, 10, epsilon, linear",
        "dpmpp_2m, 15, v_prediction, squaredcos_cap_v2", "dpmpp_2m, 20, sample, scaled_linear"})
    void idealDenoiserRecoversTheImage(String sampler, int steps, String prediction, String schedule) {
        Engines.pytorch();
        SchedulerConfig config = SchedulerConfig.defaults().withBetaSchedule(BetaSchedule.of(schedule))
                .withPredictionType(PredictionType.of(prediction));
        NoiseSchedule ns = NoiseSchedule.of(config);
        Scheduler scheduler = SamplerKind.of(sampler).scheduler(config, steps, 0.0);
        assertEquals(steps, scheduler.timesteps().length);
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
            SamplingLoop loop = new SamplingLoop(scheduler);
            NDArray out = loop.run(manager, shape, ideal, 3, (i, t, s) -> seen.add(t));
            float err = out.sub(target).abs().max().getFloat();
            assertTrue(err < 1e-3, sampler + " ended " + err + " away from the image");
            assertArrayEquals(scheduler.timesteps(), seen.stream().mapToInt(Integer::intValue).toArray());
            NDArray again = loop.run(manager, shape, ideal, 3, null);
            assertArrayEquals(out.toFloatArray(), again.toFloatArray(), "same seed, same images");
        }
    }
}
