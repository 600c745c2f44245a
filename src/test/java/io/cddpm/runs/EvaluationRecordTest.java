package io.cddpm.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cddpm.config.SamplingConfig;
import io.cddpm.diffusion.DdimScheduler;
import io.cddpm.diffusion.DdpmScheduler;
import io.cddpm.diffusion.DpmSolverMultistepScheduler;
import io.cddpm.diffusion.SamplerKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An evaluations.json row records steps for samplers that take them and eta for samplers that have one. */
class EvaluationRecordTest {
    private static EvaluationRecord of(SamplerKind kind) {
        return EvaluationRecord.of(5, "checkpoints/epoch-0005.ckpt", new SamplingConfig(kind, 15, 0.5, 3.0, 0.0, 0, true), "evaluator#0",
                Map.of("test", 0.5), "t");
    }

    @Test
    void stepsAndEtaAsTheSamplerTakesThem() {
        EvaluationRecord ddim = of(DdimScheduler.KIND);
        assertEquals(15, ddim.steps());
        assertEquals(0.5, ddim.eta());
        assertEquals("ddim, 15 steps, eta 0.5, guidance 3.0, seed 0", ddim.sampling());
        EvaluationRecord ddpm = of(DdpmScheduler.KIND);
        assertNull(ddpm.steps());
        assertNull(ddpm.eta());
        EvaluationRecord dpm = of(DpmSolverMultistepScheduler.KIND);
        assertEquals("dpmpp_2m", dpm.sampler());
        assertEquals(15, dpm.steps());
        assertNull(dpm.eta());
        assertEquals("dpmpp_2m15_w3", dpm.setting());
        assertEquals("dpmpp_2m, 15 steps, guidance 3.0, seed 0", dpm.sampling());
    }
}
