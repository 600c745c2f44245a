package io.cddpm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.cddpm.config.EmaConfig;
import io.cddpm.core.Engines;
import io.cddpm.model.GradMode;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The EMA update is torch.no_grad() on any thread: on a thread where libtorch's grad mode is on (every
 * thread but the one DJL started the engine on), the in-place update hung each shadow on an autograd
 * graph through the weights, one more link per step for the whole training.
 */
class EmaGradModeTest {
    @Test
    void theShadowStaysAPlainArrayOnAWorkerThread() throws Throwable {
        Engines.pytorch();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                assertTrue(GradMode.enabled(), "precondition: grad mode is on on this thread");
                NDArray w = m.create(new float[] {1, 2, 3});
                w.setRequiresGradient(true);
                Ema ema = new Ema(new EmaConfig(true, 0.5, 0));
                ema.init(Map.of("w", w), m);
                for (long step = 1; step <= 3; step++) {
                    ema.update(Map.of("w", w), step);
                }
                NDArray shadow = ema.weights().get("w");
                assertEquals(1f, shadow.getFloat(0), 1e-6, "values unchanged by the fix");
                assertFalse(hasGraph(shadow), "the EMA shadow must carry no autograd graph");
                assertTrue(GradMode.enabled(), "the thread's mode is left as it was");
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "worker");
        worker.start();
        worker.join();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private static boolean hasGraph(NDArray a) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sum = a.sum();
            sum.attach(m);
            JniUtils.backward((PtNDArray) sum, (PtNDArray) m.ones(new Shape()), false, false);
            return true;
        } catch (EngineException e) {
            return false;
        }
    }
}
