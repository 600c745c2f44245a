package io.cddpm.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DPM-Solver++(2M) against diffusers' DPMSolverMultistepScheduler with its defaults (vectors written
 * by src/test/python/dpmsolver_reference.py): the timesteps exactly, and every step's sample within
 * 1e-5, for each prediction type, both beta schedules and 1, 3, 10 and 20 steps (so the first-order
 * first and last steps and the second-order steps between them are all covered).
 *
 * <p>One trajectory runs each case, and each step is given diffusers' sample and model output at that
 * step, so it also carries diffusers' history (the previous x_0 estimate). Fed its own samples
 * instead, a step would inherit the float32 rounding of the ones before it: with fixed epsilon
 * outputs an error in x_t grows by alpha_next / alpha_t every step, about 160x over the linear
 * schedule, so one last-bit difference in a logarithm (libtorch's logf is not correctly rounded)
 * would reach 1e-5 without any step being wrong.
 */
class DpmSolverExactnessTest {
    private static final double TOL = 1e-5;
    private static JsonNode ref;
    private static NDManager manager;
    private static Shape shape;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = DpmSolverExactnessTest.class.getResourceAsStream("/reference/diffusers_dpmsolver_vectors.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        Engines.pytorch();
        manager = NDManager.newBaseManager();
        shape = new Shape(StreamSupport.stream(ref.get("shape").spliterator(), false).mapToLong(JsonNode::asLong).toArray());
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static List<String> cases() throws IOException {
        try (InputStream in = DpmSolverExactnessTest.class.getResourceAsStream("/reference/diffusers_dpmsolver_vectors.json")) {
            List<String> names = new ArrayList<>();
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
                names.add(name(c));
            }
            return names;
        }
    }

    private static String name(JsonNode c) {
        return c.get("beta_schedule").asText() + " " + c.get("prediction_type").asText() + " " + c.get("steps").asInt() + " steps";
    }

    private static JsonNode find(String name) {
        for (JsonNode c : ref.get("cases")) {
            if (name(c).equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static int[] ints(JsonNode node) {
        return StreamSupport.stream(node.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    private static NDArray tensor(NDManager m, JsonNode node) {
        float[] out = new float[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) node.get(i).asDouble();
        }
        return m.create(out, shape);
    }

    private static SchedulerConfig config(String schedule, String prediction) {
        return SchedulerConfig.defaults().withBetaSchedule(BetaSchedule.of(schedule)).withPredictionType(PredictionType.of(prediction));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStepMatchesDiffusers(String name) {
        JsonNode c = find(name);
        DpmSolverMultistepScheduler scheduler = new DpmSolverMultistepScheduler(
                config(c.get("beta_schedule").asText(), c.get("prediction_type").asText()), c.get("steps").asInt());
        assertArrayEquals(ints(c.get("timesteps")), scheduler.timesteps(), name + " timesteps");
        JsonNode prevSamples = c.get("prev_samples");
        try (NDManager run = manager.newSubManager()) {
            Scheduler.Trajectory trajectory = scheduler.start(run);
            int[] ts = scheduler.timesteps();
            double worst = 0;
            for (int i = 0; i < ts.length; i++) {
                assertFalse(trajectory.needsNoise(ts[i]), "deterministic");
                try (NDManager step = run.newSubManager()) {
                    NDArray sample = tensor(step, i == 0 ? c.get("x_T") : prevSamples.get(i - 1));
                    float[] got = trajectory.step(tensor(step, c.get("model_outputs").get(i)), ts[i], sample, null).prevSample().toFloatArray();
                    float[] want = tensor(step, prevSamples.get(i)).toFloatArray();
                    double max = 0;
                    for (int k = 0; k < want.length; k++) {
                        max = Math.max(max, Math.abs(want[k] - got[k]));
                    }
                    assertTrue(max <= TOL, name + " step " + i + " (t=" + ts[i] + "): max abs error " + max);
                    worst = Math.max(worst, max);
                }
            }
            System.out.printf("dpmpp_2m vs diffusers, %s: max abs error %.3g%n", name, worst);
        }
    }

    @Test
    void timestepsMatchDiffusersForAnyStepCount() {
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.get("timesteps").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int steps = Integer.parseInt(e.getKey());
            assertArrayEquals(ints(e.getValue()), new DpmSolverMultistepScheduler(SchedulerConfig.defaults(), steps).timesteps(),
                    steps + " steps");
        }
    }

    @Test
    void refusesAsManyStepsAsTrainTimesteps() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new DpmSolverMultistepScheduler(SchedulerConfig.defaults(), 1000));
        assertTrue(e.getMessage().contains("must be between 1 and num_train_timesteps - 1 (999)"), e.getMessage());
    }

    @Test
    void implementsDiffusersDefaults() {
        JsonNode d = ref.get("config");
        SchedulerConfig c = SchedulerConfig.defaults();
        assertEquals(d.get("num_train_timesteps").asInt(), c.numTrainTimesteps());
        assertEquals(d.get("beta_start").asDouble(), c.betaStart());
        assertEquals(d.get("beta_end").asDouble(), c.betaEnd());
        assertEquals("dpmsolver++", d.get("algorithm_type").asText());
        assertEquals(2, d.get("solver_order").asInt());
        assertEquals("midpoint", d.get("solver_type").asText());
        assertTrue(d.get("lower_order_final").asBoolean());
        assertEquals("zero", d.get("final_sigmas_type").asText());
        assertEquals("linspace", d.get("timestep_spacing").asText());
        assertFalse(d.get("thresholding").asBoolean() || d.get("use_karras_sigmas").asBoolean() || d.get("euler_at_final").asBoolean());
        assertEquals("-inf", d.get("lambda_min_clipped").asText());
    }

    @Test
    void aTrajectoryTakesTheTimestepsInOrderOnce() {
        DpmSolverMultistepScheduler scheduler = new DpmSolverMultistepScheduler(SchedulerConfig.defaults(), 3);
        try (NDManager run = manager.newSubManager()) {
            NDArray x = run.zeros(shape);
            Scheduler.Trajectory trajectory = scheduler.start(run);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> trajectory.step(x, 666, x, null));
            assertTrue(e.getMessage().contains("expected t=999"), e.getMessage());
            for (int t : scheduler.timesteps()) {
                trajectory.step(x, t, x, null);
            }
            e = assertThrows(IllegalStateException.class, () -> trajectory.step(x, 333, x, null));
            assertTrue(e.getMessage().contains("no more steps"), e.getMessage());
        }
    }
}
