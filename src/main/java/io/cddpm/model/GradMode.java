package io.cddpm.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's autograd switch, which is per thread: {@code torch.no_grad()} for the Java side.
 *
 * <p>DJL turns grad mode off only on the thread that first starts the PyTorch engine; every other
 * thread (a Camel or Quartz worker, a test's helper thread, a second job of {@code serve}) starts
 * with libtorch's default, on. There, an inference forward of a model whose parameters require
 * gradients records a full autograd graph, and because each sampling step feeds the previous step's
 * output back in, the graphs chain: the final images keep every step's activations, and the tensors
 * autograd saved, alive until they are closed. Some of those saved tensors are views of arrays whose
 * memory belongs to a Java direct buffer (arrays DJL creates from Java data, e.g. the initial noise),
 * which is freed by the buffer's cleaner as soon as its array is closed, whatever libtorch still
 * points at. So inference, the EMA update and scoring run inside {@link #off()}, as PyTorch code runs
 * them under {@code torch.no_grad()}, on whatever thread they run.
 */
public final class GradMode {
    private GradMode() {}

    /** Grad mode off on this thread until the region closes (then as it was); nests. */
    public static TorchKernels.Region off() {
        if (!JniUtils.isGradMode()) {
            return () -> {};
        }
        JniUtils.setGradMode(false);
        return () -> JniUtils.setGradMode(true);
    }

    /** Whether libtorch records autograd graphs on this thread now. */
    public static boolean enabled() {
        return JniUtils.isGradMode();
    }
}
