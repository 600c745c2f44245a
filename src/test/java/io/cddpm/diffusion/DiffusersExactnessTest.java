package io.cddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cddpm.core.Engines;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Schedules and sampler steps against values computed with diffusers (float32): max abs error <= 1e-5. */
class DiffusersExactnessTest {
    private static final double TOL = 1e-5;
    /** The one entry of a ddpm_step section that is not a timestep. */
    private static final String VELOCITY = "velocity_target_t500";
    private static JsonNode ref;
    private static NDManager manager;
    private static Shape shape;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = DiffusersExactnessTest.class.getResourceAsStream("/reference/diffusers_scheduler_vectors.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        Engines.pytorch();
        manager = NDManager.newBaseManager();
        JsonNode s = at("/inputs/shape");
        long[] dims = new long[s.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = s.get(i).asLong();
        }
        shape = new Shape(dims);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** The node at this JSON pointer; fails when the reference file lacks it or it is empty (a loop over nothing passes). */
    private static JsonNode at(String pointer) {
        JsonNode n = ref.at(pointer);
        assertFalse(n.isMissingNode() || n.isContainerNode() && n.isEmpty(), "the reference file has nothing at " + pointer);
        return n;
    }

    private static float[] floats(JsonNode node) {
        float[] out = new float[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) node.get(i).asDouble();
        }
        return out;
    }

    private static NDArray tensor(JsonNode node) {
        return manager.create(floats(node), shape);
    }

    private static void close(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        double max = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i] - got[i]));
        }
        assertTrue(max <= TOL, what + ": max abs error " + max);
    }

    private static SchedulerConfig config(BetaSchedule schedule, PredictionType type) {
        return SchedulerConfig.defaults().withBetaSchedule(schedule).withPredictionType(type);
    }

    @ParameterizedTest
    @EnumSource(BetaSchedule.class)
    void betasAlphasCumprodAndAddNoise(BetaSchedule schedule) {
        String s = "/schedules/" + schedule.id();
        NoiseSchedule ns = NoiseSchedule.of(config(schedule, PredictionType.EPSILON));
        // to the bit: DPM-Solver++'s x_0 estimate at t = T - 1 divides by sqrt(alpha_bar) ~ 5e-5 (cosine)
        assertArrayEquals(floats(at(s + "/betas")), ns.betas(), schedule + " betas");
        assertArrayEquals(floats(at(s + "/alphas_cumprod")), ns.alphasCumprod(), schedule + " alphas_cumprod");
        ForwardProcess forward = new ForwardProcess(ns);
        NDArray x0 = tensor(at("/inputs/x0"));
        NDArray noise = tensor(at("/inputs/noise"));
        for (Iterator<Map.Entry<String, JsonNode>> it = at(s + "/add_noise").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int t = Integer.parseInt(e.getKey());
            int[] ts = new int[(int) shape.get(0)];
            Arrays.fill(ts, t);
            close(floats(e.getValue()), forward.addNoise(x0, noise, ts).toFloatArray(), schedule + " add_noise t=" + t);
        }
    }

    @ParameterizedTest
    @EnumSource(BetaSchedule.class)
    void ddpmStepsForEveryPredictionType(BetaSchedule schedule) {
        NDArray modelOutput = tensor(at("/inputs/model_output"));
        for (PredictionType type : PredictionType.values()) {
            JsonNode steps = at("/schedules/" + schedule.id() + "/ddpm_step/" + type.id());
            DdpmScheduler ddpm = new DdpmScheduler(config(schedule, type));
            for (Iterator<Map.Entry<String, JsonNode>> it = steps.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals(VELOCITY)) {
                    continue;
                }
                int t = Integer.parseInt(e.getKey());
                String what = schedule + " " + type + " t=" + t;
                Scheduler.StepOutput out = ddpm.mean(modelOutput, t, tensor(e.getValue().get("x_t")));
                close(floats(e.getValue().get("pred_original_sample")), out.predOriginalSample().toFloatArray(), what + " x0");
                close(floats(e.getValue().get("prev_sample_mean")), out.prevSample().toFloatArray(), what + " mean");
                assertEquals(e.getValue().get("variance_fixed_small").asDouble(), ddpm.variance(t), TOL, what + " variance");
            }
            if (type == PredictionType.V_PREDICTION) {
                NoiseSchedule ns = NoiseSchedule.of(config(schedule, type));
                int[] ts = new int[(int) shape.get(0)];
                Arrays.fill(ts, 500);
                NDArray v = new ForwardProcess(ns).target(type, tensor(at("/inputs/x0")), tensor(at("/inputs/noise")), ts);
                close(floats(at("/schedules/" + schedule.id() + "/ddpm_step/v_prediction/" + VELOCITY)), v.toFloatArray(),
                        schedule + " velocity target");
            }
        }
        JsonNode first = at("/ddpm_1000_timesteps_first5");
        int[] want = new int[first.size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = first.get(i).asInt();
        }
        assertArrayEquals(want, Arrays.copyOf(new DdpmScheduler(SchedulerConfig.defaults()).timesteps(), want.length));
    }

    @ParameterizedTest
    @EnumSource(BetaSchedule.class)
    void ddimTimestepsAndEtaZeroSteps(BetaSchedule schedule) {
        String s = "/schedules/" + schedule.id();
        DdimScheduler ddim = new DdimScheduler(config(schedule, PredictionType.EPSILON), 50, 0.0);
        JsonNode ts = at(s + "/ddim_50_timesteps");
        int[] want = new int[ts.size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = ts.get(i).asInt();
        }
        assertArrayEquals(want, ddim.timesteps());
        NDArray modelOutput = tensor(at("/inputs/model_output"));
        for (Iterator<Map.Entry<String, JsonNode>> it = at(s + "/ddim_eta0_step_epsilon").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int t = Integer.parseInt(e.getKey());
            Scheduler.StepOutput out = ddim.step(modelOutput, t, tensor(e.getValue().get("x_t")), null);
            close(floats(e.getValue().get("prev_sample")), out.prevSample().toFloatArray(), schedule + " ddim t=" + t);
            close(floats(e.getValue().get("pred_original_sample")), out.predOriginalSample().toFloatArray(), schedule + " ddim x0 t=" + t);
        }
    }

    @Test
    void defaultsMatchDiffusers() {
        JsonNode d = at("/config_defaults");
        SchedulerConfig c = SchedulerConfig.defaults();
        assertEquals(d.get("num_train_timesteps").asInt(), c.numTrainTimesteps());
        assertEquals(d.get("beta_start").asDouble(), c.betaStart());
        assertEquals(d.get("beta_end").asDouble(), c.betaEnd());
        assertEquals(d.get("beta_schedule").asText(), c.betaSchedule().id());
        assertEquals(d.get("prediction_type").asText(), c.predictionType().id());
        assertEquals(d.get("clip_sample").asBoolean(), c.clipSample());
        assertEquals(d.get("clip_sample_range").asDouble(), c.clipSampleRange());
        assertEquals(d.get("steps_offset").asInt(), c.stepsOffset());
        assertEquals(d.get("timestep_spacing").asText(), "leading");
        assertEquals(d.get("variance_type").asText(), "fixed_small");
        assertEquals(at("/ddim_config_defaults/set_alpha_to_one").asBoolean(), c.setAlphaToOne());
    }
}
