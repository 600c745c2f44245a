package io.cddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestepSamplingTest {
    private static final int T = 1000;
    private static final int N = 200_000;

    /** Fractions of N draws in [0, 100), [400, 600) and [900, 1000), and the median. */
    private static double[] histogram(TimestepSampling sampling, double mean, double std) {
        SplittableRandom random = new SplittableRandom(7);
        int[] counts = new int[T];
        for (int i = 0; i < N; i++) {
            int t = sampling.draw(random, T, mean, std);
            assertTrue(t >= 0 && t < T, "timestep " + t);
            counts[t]++;
        }
        double low = 0, mid = 0, high = 0;
        int median = -1;
        long seen = 0;
        for (int t = 0; t < T; t++) {
            low += t < 100 ? counts[t] : 0;
            mid += t >= 400 && t < 600 ? counts[t] : 0;
            high += t >= 900 ? counts[t] : 0;
            seen += counts[t];
            if (median < 0 && seen >= N / 2) {
                median = t;
            }
        }
        return new double[] {low / N, mid / N, high / N, median};
    }

    @Test
    void uniformDrawsExactlyWhatDdpmTrainingAlwaysDrew() {
        // recorded runs must replay: uniform consumes the generator as nextInt(T) did
        SplittableRandom a = new SplittableRandom(42);
        SplittableRandom b = new SplittableRandom(42);
        for (int i = 0; i < 1000; i++) {
            assertEquals(b.nextInt(T), TimestepSampling.UNIFORM.draw(a, T, 3.0, 9.0));
        }
        double[] h = histogram(TimestepSampling.UNIFORM, 0, 1);
        assertEquals(0.1, h[0], 0.005);
        assertEquals(0.2, h[1], 0.005);
        assertEquals(0.1, h[2], 0.005);
    }

    @Test
    void logitNormalConcentratesOnTheMiddleOfTheNoiseRange() {
        // P(u < 0.1) = Phi(logit(0.1)) = Phi(-2.197) = 0.0140; P(0.4 <= u < 0.6) = 2 Phi(0.405) - 1 = 0.3147
        double[] h = histogram(TimestepSampling.LOGIT_NORMAL, 0, 1);
        assertEquals(0.0140, h[0], 0.002);
        assertEquals(0.3147, h[1], 0.005);
        assertEquals(0.0140, h[2], 0.002);
        assertEquals(500, h[3], 5);
    }

    @Test
    void aPositiveMeanMovesTheTimestepsTowardsNoise() {
        // median u = sigmoid(1) = 0.731
        double[] h = histogram(TimestepSampling.LOGIT_NORMAL, 1, 1);
        assertEquals(731, h[3], 5);
        assertTrue(h[2] > 0.05 && h[0] < 0.005, () -> "tails " + h[0] + " / " + h[2]);
    }
}
