package io.cddpm.core;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * The one place that starts DJL: offline (libtorch comes from the pytorch-native jar on the
 * classpath, never from the network) and on the best device present.
 */
public final class Engines {
    private Engines() {}

    /** Starts the PyTorch engine offline and returns it. Safe to call many times. */
    public static synchronized Engine pytorch() {
        System.setProperty("ai.djl.offline", "true");
        return Engine.getEngine("PyTorch");
    }

    /** The GPU when one is visible to libtorch, otherwise the CPU; {@code requested} may force one ("cpu", "gpu", "gpu:1", "auto"). */
    public static Device device(String requested) {
        Engine engine = pytorch();
        if (requested == null || requested.isBlank() || requested.equals("auto")) {
            return engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        Device device = Device.fromName(requested);
        if (device.isGpu() && (engine.getGpuCount() == 0 || device.getDeviceId() >= engine.getGpuCount())) {
            throw new InvalidInputException("device '" + requested + "' requested but libtorch sees "
                    + engine.getGpuCount() + " GPU(s); build with `mvn -Pcuda package` on a CUDA host or use device: cpu");
        }
        return device;
    }
}
