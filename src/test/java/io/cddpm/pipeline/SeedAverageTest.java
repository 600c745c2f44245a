package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.SamplingConfig;
import io.cddpm.diffusion.SamplerKind;
import io.cddpm.runs.EvaluationRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeedAverageTest {
    private static final SamplingConfig DDIM = new SamplingConfig(SamplerKind.of("ddim"), 50, 1.0, 3.0, 0.0, 0, true);
    private static final SamplingConfig DDIM_W1 = new SamplingConfig(SamplerKind.of("ddim"), 50, 1.0, 1.0, 0.0, 0, true);

    private static EvaluationRecord scored(SamplingConfig s, Map<String, Double> accuracy) {
        return EvaluationRecord.of(17, "checkpoints/epoch-0017.ckpt", s, "evaluator#0", accuracy, "t");
    }

    private static Map<String, Double> acc(double test, double newTest) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("test", test);
        m.put("new_test", newTest);
        return m;
    }

    @Test
    void eachSettingIsAveragedOverItsSeedsInOrder() {
        List<SamplingConfig> settings = List.of(DDIM, DDIM.withSeed(1), DDIM.withSeed(2), DDIM_W1, DDIM_W1.withSeed(1));
        List<SeedAverage> a = SeedAverage.of(settings, List.of(scored(settings.get(0), acc(0.90, 0.93)), scored(settings.get(1), acc(0.93, 0.92)),
                scored(settings.get(2), acc(0.93, 0.92)), scored(settings.get(3), acc(0.5, 0.6)), scored(settings.get(4), acc(0.7, 0.8))));
        assertEquals(2, a.size());
        assertEquals("ddim50_w3_eta1", a.get(0).setting());
        assertEquals(List.of(0L, 1L, 2L), a.get(0).seeds());
        assertEquals(List.of("test", "new_test"), List.copyOf(a.get(0).mean().keySet()), "the condition files' order");
        assertEquals((0.90 + 0.93 + 0.93) / 3, a.get(0).mean().get("test"), 1e-12);
        assertEquals((0.93 + 0.92 + 0.92) / 3, a.get(0).mean().get("new_test"), 1e-12);
        assertEquals("ddim50_w1_eta1", a.get(1).setting());
        assertEquals(0.6, a.get(1).mean().get("test"), 1e-12);
    }

    @Test
    void oneSeedIsNoAverageAndAFailedSeedIsLeftOut() {
        List<SamplingConfig> settings = List.of(DDIM, DDIM_W1, DDIM.withSeed(1), DDIM.withSeed(2));
        EvaluationRecord failed = scored(settings.get(3), acc(0.1, 0.1)).asFailed("boom", "t");
        List<SeedAverage> a = SeedAverage.of(settings, List.of(scored(settings.get(0), acc(0.8, 0.9)), scored(settings.get(1), acc(0.5, 0.5)),
                scored(settings.get(2), acc(0.6, 0.7)), failed));
        assertEquals(1, a.size(), "w1 was scored under one seed");
        assertEquals(List.of(0L, 1L), a.get(0).seeds(), "the failed seed 2 is not averaged");
        assertEquals(0.7, a.get(0).mean().get("test"), 1e-12);
    }

    @Test
    void onlyFilesEverySeedWasScoredOnAreAveraged() {
        List<SamplingConfig> settings = List.of(DDIM, DDIM.withSeed(1));
        Map<String, Double> three = acc(0.8, 0.9);
        three.put("novel", 0.7);
        List<SeedAverage> a = SeedAverage.of(settings, List.of(scored(settings.get(0), three), scored(settings.get(1), acc(0.6, 0.7))));
        assertEquals(List.of("test", "new_test"), List.copyOf(a.get(0).mean().keySet()));
    }

    @Test
    void settingsAndRecordsMustPairUp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeedAverage.of(List.of(DDIM), List.of()));
        assertTrue(e.getMessage().contains("1 settings for 0 evaluations"), e.getMessage());
    }
}
