package io.cddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The registry: one id per sampler, written and read as that id, each building its own scheduler from one signature. */
class SamplersTest {
    @Test
    void idsAreDistinctLowercaseWords() {
        Set<String> seen = new HashSet<>();
        for (SamplerKind s : Samplers.ALL) {
            assertTrue(s.id().matches("[a-z0-9_]+"), s.id());
            assertTrue(seen.add(s.id()), "two samplers with id " + s.id());
            assertSame(s, SamplerKind.of(s.id()));
        }
        assertEquals("ddpm, ddim, dpmpp_2m", Samplers.ids());
    }

    @Test
    void anUnknownIdListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplerKind.of("euler"));
        assertEquals("unknown sampler 'euler' (valid: ddpm, ddim, dpmpp_2m)", e.getMessage());
    }

    @Test
    void writtenAndReadAsItsId() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (SamplerKind s : Samplers.ALL) {
            assertEquals("\"" + s.id() + "\"", json.writeValueAsString(s));
            assertSame(s, json.readValue("\"" + s.id() + "\"", SamplerKind.class));
            assertEquals(s.id(), s.toString());
        }
    }

    @Test
    void eachBuildsItsSchedulerFromConfigStepsAndEta() {
        SchedulerConfig c = SchedulerConfig.defaults();
        assertEquals(1000, DdpmScheduler.KIND.scheduler(c, 25, 1.0).timesteps().length, "DDPM runs every train timestep");
        assertEquals(25, DdimScheduler.KIND.scheduler(c, 25, 1.0).timesteps().length);
        assertTrue(DdimScheduler.KIND.scheduler(c, 25, 1.0).start(null).needsNoise(999), "DDIM's eta reaches it");
        assertEquals(25, DpmSolverMultistepScheduler.KIND.scheduler(c, 25, 1.0).timesteps().length);
        assertEquals(1000, DdpmScheduler.KIND.denoisingSteps(25, 1000));
        assertEquals(25, DpmSolverMultistepScheduler.KIND.denoisingSteps(25, 1000));
        assertEquals(1000, DdimScheduler.KIND.maxSteps(1000));
        assertEquals(999, DpmSolverMultistepScheduler.KIND.maxSteps(1000), "1000 would visit a timestep twice");
        assertTrue(DdimScheduler.KIND.takesSteps() && DdimScheduler.KIND.takesEta());
        assertTrue(DpmSolverMultistepScheduler.KIND.takesSteps() && !DpmSolverMultistepScheduler.KIND.takesEta());
        assertTrue(!DdpmScheduler.KIND.takesSteps() && !DdpmScheduler.KIND.takesEta());
    }
}
