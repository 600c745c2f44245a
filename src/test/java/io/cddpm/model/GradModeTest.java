package io.cddpm.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.cddpm.config.ModelConfig;
import io.cddpm.config.ModelPreset;
import io.cddpm.core.Engines;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inference records no autograd graph on any thread. DJL switches libtorch's (per-thread) grad mode
 * off only on the thread that starts the engine; a Camel/Quartz worker or any other thread starts
 * with it on, and there a sampling forward kept a graph holding every step's activations and views of
 * arrays whose Java-owned memory is freed when they are closed.
 */
class GradModeTest {
    @BeforeAll
    static void engine() {
        Engines.pytorch();
    }

    /** Whether autograd recorded a graph behind the array (backward through it works). */
    static boolean hasGraph(NDArray a) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sum = a.sum();
            sum.attach(m);
            JniUtils.backward((PtNDArray) sum, (PtNDArray) m.ones(new Shape()), false, false);
            return true;
        } catch (EngineException e) {
            return false; // "element 0 of tensors does not require grad and does not have a grad_fn"
        }
    }

    /** Runs body on a fresh thread, as a pipeline worker would, and rethrows what it threw. */
    static void onAnotherThread(Runnable body) throws Throwable {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "worker");
        t.start();
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    @Test
    void aWorkerThreadStartsWithGradModeOnAndOffRestoresIt() throws Throwable {
        onAnotherThread(() -> {
            assertTrue(GradMode.enabled(), "libtorch's default on a thread DJL did not start the engine on (what this guards against)");
            try (TorchKernels.Region outer = GradMode.off()) {
                assertFalse(GradMode.enabled());
                try (TorchKernels.Region inner = GradMode.off()) {
                    assertFalse(GradMode.enabled());
                }
                assertFalse(GradMode.enabled(), "a nested region leaves the outer one's mode");
            }
            assertTrue(GradMode.enabled(), "restored");
        });
    }

    @Test
    void anInferenceForwardOnAWorkerThreadRecordsNoGraph() throws Throwable {
        ModelConfig config = new ModelConfig(ModelPreset.CUSTOM, List.of(16, 32), 1, List.of(false, true), 8, 8, 24, null, null, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            ConditionalUNet unet = UNets.create(UNetSpec.of(config, 8), manager, 0);
            onAnotherThread(() -> {
                try (NDManager scope = manager.newSubManager()) {
                    ParameterStore ps = new ParameterStore(scope, false);
                    NDArray x = scope.randomNormal(new Shape(2, 3, 8, 8));
                    NDArray t = scope.create(new float[] {10, 500});
                    NDArray labels = scope.zeros(new Shape(2, 24));
                    assertTrue(hasGraph(unet.predict(ps, x, t, labels, /* training= */ true)),
                            "a training forward on this thread records a graph (the parameters require gradients)");
                    assertFalse(hasGraph(unet.predict(ps, x, t, labels, /* training= */ false)),
                            "an inference forward must record none");
                    assertTrue(GradMode.enabled(), "the thread's mode is left as it was");
                }
            });
        }
    }
}
