package io.cddpm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import java.io.IOException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 12, point 13: a CUDA build on a machine without a GPU says so, instead of DJL's download failure. */
class EnginesTest {
    @Test
    void aCudaBuildWithoutAGpuSaysHowToBuildForTheCpu() {
        RuntimeException djl = new IllegalArgumentException("PyTorch engine failed to start",
                new EngineException("Failed to save pytorch index file", new IOException("offline mode")));
        RuntimeException e = Engines.explain(djl, "cu124");
        assertInstanceOf(InvalidInputException.class, e);
        assertTrue(e.getMessage().contains("built for CUDA (libtorch cu124") && e.getMessage().contains("no usable NVIDIA GPU")
                && e.getMessage().contains("mvn -B -DskipTests package` (without -Pcuda)"), e.getMessage());
        assertSame(djl, e.getCause());
        RuntimeException direct = Engines.explain(new EngineException("Failed to save pytorch index file"), "cu124");
        assertInstanceOf(InvalidInputException.class, direct);
    }

    @Test
    void otherFailuresAndCpuBuildsAreLeftAlone() {
        RuntimeException cpu = new EngineException("Failed to save pytorch index file");
        assertSame(cpu, Engines.explain(cpu, "cpu"));
        assertSame(cpu, Engines.explain(cpu, null));
        RuntimeException other = new EngineException("libtorch_cpu.so: cannot open shared object file");
        assertSame(other, Engines.explain(other, "cu124"));
    }

    @Test
    void theBundledFlavorIsKnownAndTheEngineStarts() {
        assertTrue(Set.of("cpu", "cu124").contains(Engines.bundledFlavor()), Engines.bundledFlavor());
        assertEquals("PyTorch", Engines.pytorch().getEngineName());
    }
}
