package io.cddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The log-SNR-shifted schedule ("simple diffusion"): alpha_bar_t = sigmoid(logSNR_t + s) against the
 * closed formula of the cosine and linear schedules, no shift is today's schedule bit for bit, and
 * the shifted schedule is one the schedulers can run (decreasing, betas in (0, 1), consistent).
 */
class NoiseScheduleShiftTest {
    private static final int T = 1000;
    /** 2 log(32 / r) for r = 64, 128 and 16. */
    private static final double[] SHIFTS = {2 * Math.log(0.5), 2 * Math.log(0.25), 2 * Math.log(2)};
    private static final int[] STEPS = {0, 1, 10, 100, 250, 500, 750, 900, 990, 998, 999};

    private static SchedulerConfig config(BetaSchedule schedule, double shift) {
        return SchedulerConfig.defaults().withBetaSchedule(schedule).withPredictionType(PredictionType.SAMPLE).withLogSnrShift(shift);
    }

    /** alpha_bar_t of the unshifted schedule in double, from its definition. */
    private static double closedAlphaBar(BetaSchedule schedule, int t) {
        return switch (schedule) {
            case SQUAREDCOS_CAP_V2 -> t < T - 1
                    ? cosine((t + 1.0) / T) / cosine(0)
                    : cosine((T - 1.0) / T) / cosine(0) * (1 - 0.999); // diffusers caps the last beta at 0.999
            case LINEAR -> {
                double product = 1;
                for (int i = 0; i <= t; i++) {
                    product *= 1 - (1e-4 + (0.02 - 1e-4) * i / (T - 1));
                }
                yield product;
            }
            case SCALED_LINEAR -> throw new IllegalArgumentException("not used here");
        };
    }

    private static double cosine(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @ParameterizedTest
    @EnumSource(value = BetaSchedule.class, names = {"SQUAREDCOS_CAP_V2", "LINEAR"})
    void shiftedAlphaBarIsTheSigmoidOfTheShiftedLogSnr(BetaSchedule schedule) {
        for (double shift : SHIFTS) {
            NoiseSchedule ns = NoiseSchedule.of(config(schedule, shift));
            for (int t : STEPS) {
                double ab = closedAlphaBar(schedule, t);
                double want = sigmoid(Math.log(ab / (1 - ab)) + shift);
                double got = ns.alphaBar(t);
                assertEquals(want, got, 2e-7 + 1e-4 * want, schedule + " shift " + shift + " t " + t);
            }
        }
    }

    /** snr_shift_resolution equal to the resolution (or absent) is a shift of 0: the schedule diffusers has, bit for bit. */
    @ParameterizedTest
    @EnumSource(BetaSchedule.class)
    void noShiftIsTodaysScheduleExactly(BetaSchedule schedule) {
        NoiseSchedule today = NoiseSchedule.of(SchedulerConfig.defaults().withBetaSchedule(schedule));
        NoiseSchedule zero = NoiseSchedule.of(SchedulerConfig.defaults().withBetaSchedule(schedule).withLogSnrShift(2 * Math.log(32.0 / 32)));
        assertArrayEquals(today.betas(), zero.betas(), 0f);
        assertArrayEquals(today.alphasCumprod(), zero.alphasCumprod(), 0f);
    }

    /**
     * Strictly decreasing alpha_bar in (0, 1), every beta in (0, 1), the betas' running product equal
     * to alpha_bar, the first beta 1 - alpha_bar_0, and the cosine schedule's last beta still near
     * diffusers' cap of 0.999 (not above 1, with alpha_bar_T above 0).
     */
    @ParameterizedTest
    @EnumSource(BetaSchedule.class)
    void theShiftedScheduleIsOneTheSchedulersCanRun(BetaSchedule schedule) {
        for (double shift : SHIFTS) {
            NoiseSchedule ns = NoiseSchedule.of(config(schedule, shift));
            float[] ab = ns.alphasCumprod();
            float[] betas = ns.betas();
            double product = 1;
            for (int t = 0; t < T; t++) {
                String at = schedule + " shift " + shift + " t " + t;
                assertTrue(ab[t] > 0 && ab[t] < 1 && (t == 0 || ab[t] < ab[t - 1]), at + ": alpha_bar " + ab[t]);
                assertTrue(betas[t] > 0 && betas[t] < 1, at + ": beta " + betas[t]);
                assertEquals(1 - betas[t], ns.alpha(t), 0f, at);
                product *= 1 - (double) betas[t];
                assertEquals(ab[t], product, 1e-4 * ab[t], at + ": the betas' product");
            }
            assertEquals(1 - ab[0], betas[0], 1e-6, schedule + ": first beta");
            if (schedule == BetaSchedule.SQUAREDCOS_CAP_V2) {
                assertEquals(0.999, betas[T - 1], 1e-3, "last beta near the cap");
            }
        }
    }

    /** The forward process and both schedulers read the shifted alpha_bar. */
    @Test
    void forwardProcessAndSchedulersSeeTheShift() {
        Engines.pytorch();
        SchedulerConfig c = config(BetaSchedule.SQUAREDCOS_CAP_V2, SHIFTS[0]);
        NoiseSchedule ns = NoiseSchedule.of(c);
        int t = 500;
        try (NDManager m = NDManager.newBaseManager()) {
            float[] xt = new ForwardProcess(ns).addNoise(m.ones(new Shape(1, 1)), m.zeros(new Shape(1, 1)), new int[] {t}).toFloatArray();
            assertEquals(Math.sqrt(ns.alphaBar(t)), xt[0], 1e-6);
        }
        // at t = 500 (cosine: SNR about 1) a shift of 2 log(1/2) divides the SNR by 4
        double snr = ns.alphaBar(t) / (1.0 - ns.alphaBar(t));
        NoiseSchedule plain = NoiseSchedule.of(config(BetaSchedule.SQUAREDCOS_CAP_V2, 0));
        assertEquals(0.25, snr / (plain.alphaBar(t) / (1.0 - plain.alphaBar(t))), 1e-4);
        float abT = ns.alphaBar(t);
        float abPrev = ns.alphaBar(t - 1);
        assertEquals((1f - abPrev) / (1f - abT) * (1f - abT / abPrev), new DdpmScheduler(c).variance(t), 1e-7);
        DdimScheduler ddim = new DdimScheduler(c, 50, 1.0);
        float abPrevDdim = ns.alphaBar(t - 20);
        assertEquals((1f - abPrevDdim) / (1f - abT) * (1f - abT / abPrevDdim), ddim.variance(t), 1e-7);
    }

    @Test
    void aShiftTooLargeForFloat32IsRefused() {
        // + 2 log 64: the linear schedule's alpha_bar_0 = 0.9999 becomes 1 - 2.4e-8, which float32 rounds to 1
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> NoiseSchedule.of(config(BetaSchedule.LINEAR, 2 * Math.log(64))));
        assertTrue(e.getMessage().contains("t = 0"), e.getMessage());
    }
}
