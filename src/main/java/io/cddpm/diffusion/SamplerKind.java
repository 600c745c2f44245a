package io.cddpm.diffusion;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.function.IntUnaryOperator;

/**
 * One sampler of the family: the id configs, checkpoints and the command line name it by, which
 * sampling settings it takes, and how it builds its scheduler. Each scheduler class declares its own
 * ({@code DdimScheduler.KIND}) and {@link Samplers} lists them, so everything that reads, checks,
 * describes or records a sampler setting works for every sampler without naming one. Written as its id.
 *
 * @param name       how messages name it ("DDIM")
 * @param takesSteps whether it runs {@code sampling.steps} steps; when not, it runs every train timestep
 * @param takesEta   whether {@code sampling.eta} means anything to it; when not, eta is ignored
 * @param maxSteps   the most steps it takes on a schedule of T train timesteps (T -> max)
 */
public record SamplerKind(String id, String name, boolean takesSteps, boolean takesEta, IntUnaryOperator maxSteps, Factory factory) {
    /** Builds the scheduler of one setting; steps and eta as given when the sampler takes them, ignored otherwise. */
    @FunctionalInterface
    public interface Factory {
        Scheduler create(SchedulerConfig config, int steps, double eta);
    }

    /** The lowercase id used in configs, checkpoints and on the command line. */
    @Override
    @JsonValue
    public String id() {
        return id;
    }

    /** The registered sampler with this id; IllegalArgumentException listing the valid ids otherwise. */
    @JsonCreator
    public static SamplerKind of(String id) {
        return Samplers.byId(id);
    }

    /** The scheduler for this setting on a model's schedule. */
    public Scheduler scheduler(SchedulerConfig config, int steps, double eta) {
        return factory.create(config, steps, eta);
    }

    /** The most steps it takes on a schedule of {@code trainTimesteps} train timesteps. */
    public int maxSteps(int trainTimesteps) {
        return maxSteps.applyAsInt(trainTimesteps);
    }

    /** The denoising steps this sampler runs: its own for samplers that take steps, every train timestep otherwise. */
    public int denoisingSteps(int steps, int trainTimesteps) {
        return takesSteps ? steps : trainTimesteps;
    }

    @Override
    public String toString() {
        return id;
    }
}
