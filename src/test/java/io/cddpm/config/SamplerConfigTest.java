package io.cddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.InvalidInputException;
import io.cddpm.diffusion.DpmSolverMultistepScheduler;
import io.cddpm.diffusion.SamplerKind;
import io.cddpm.diffusion.Samplers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** sampling.sampler takes every registered id; ddpm and ddim settings read, hash and describe as before the registry. */
class SamplerConfigTest {
    private static SamplingConfig sampling(String yaml) {
        return ConfigLoader.fromYaml("name: s\nsampling: " + yaml + "\n", "s.yaml").sampling();
    }

    private static String error(String yaml) {
        return assertThrows(InvalidInputException.class, () -> sampling(yaml)).getMessage();
    }

    @Test
    void everyRegisteredSamplerReadsAndWritesBack() {
        for (SamplerKind kind : Samplers.ALL) {
            ExperimentConfig c = ConfigLoader.fromYaml("name: s\nsampling: {sampler: " + kind.id() + ", steps: 15}\n", "s.yaml");
            assertSame(kind, c.sampling().sampler());
            assertTrue(ConfigLoader.toYaml(c).contains("sampler: " + kind.id()), kind.id());
            assertEquals(c, ConfigLoader.fromYaml(ConfigLoader.toYaml(c), "again.yaml"));
        }
    }

    @Test
    void dpmSolverRunsItsStepsAndHasNoEta() {
        SamplingConfig s = sampling("{sampler: dpmpp_2m, steps: 15, eta: 1.0, guidance: 3}");
        assertSame(DpmSolverMultistepScheduler.KIND, s.sampler());
        assertEquals(15, s.denoisingSteps(1000));
        assertEquals("dpmpp_2m, 15 steps, guidance 3.00, seed 0", s.describe(s.denoisingSteps(1000)));
        assertEquals("dpmpp_2m15_w3", SamplingSettings.slug(s));
    }

    @Test
    void aSweepOverSamplersScoresEach() {
        ExperimentConfig c = ConfigLoader.fromYaml("name: s\nsampling: {steps: 15}\nsweep:\n  sampling.sampler: [ddim, dpmpp_2m, ddpm]\n", "s.yaml");
        assertEquals(1, c.trials().size());
        assertEquals(List.of("ddim15_w1_eta0", "dpmpp_2m15_w1", "ddpm_w1"),
                SamplingSettings.of(c.trials().get(0).config()).stream().map(SamplingSettings::slug).toList());
    }

    /**
     * Values computed before samplers became a registry (commit f5a218a): slugs (the names of settings in files and
     * metric keys) and log lines are unchanged; a setting's hash names nothing and changed when sampling.base and
     * sampling.augmentation joined the record (cascades).
     */
    @Test
    void ddpmAndDdimAreUnchanged() {
        SamplingConfig ddim = SamplingConfig.defaults();
        assertEquals("ddim50_w1_eta0", SamplingSettings.slug(ddim));
        assertEquals("ddim, 50 steps, eta 0.00, guidance 1.00, seed 0", ddim.describe(ddim.denoisingSteps(1000)));
        SamplingConfig ddpm = sampling("{sampler: ddpm, steps: 20, eta: 1.0, guidance: 3.0}");
        assertEquals("ddpm_w3", SamplingSettings.slug(ddpm));
        assertEquals("ddpm, 1000 steps, guidance 3.00, seed 0", ddpm.describe(ddpm.denoisingSteps(1000)));
    }

    @Test
    void errorsNameTheKeyAndTheValidIds() {
        String m = error("{sampler: euler}");
        assertTrue(m.contains("s.yaml:2") && m.contains("sampling.sampler")
                && m.contains("unknown sampler 'euler' (valid: ddpm, ddim, dpmpp_2m)"), m);
        m = error("{sampler: dpmpp_2m, steps: 1000}");
        assertTrue(m.contains("sampling.steps") && m.contains("DPM-Solver++(2M) steps (1000) cannot exceed 999 with diffusion.train_timesteps 1000"),
                m);
        m = error("{sampler: ddim, steps: 1001}");
        assertTrue(m.contains("sampling.steps") && m.contains("DDIM steps (1001) cannot exceed diffusion.train_timesteps (1000)"), m);
        m = error("{sampler: dpmpp_2m, steps: 0}");
        assertTrue(m.contains("sampling.steps") && m.contains("must be > 0 (got 0)"), m);
        m = error("{sampler: 3}");
        assertTrue(m.contains("sampling.sampler") && m.contains("(valid: ddpm, ddim, dpmpp_2m)"), m);
    }
}
