package io.cddpm.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The one place that starts DJL: offline (libtorch comes from the pytorch-native jar on the
 * classpath, never from the network) and on the best device present.
 */
public final class Engines {
    /** What DJL says when the bundled libtorch does not suit this machine and it tries to download another, offline. */
    private static final String[] DOWNLOAD_FAILURES = {
        "Failed to save pytorch index file", "Failed to download PyTorch native library", "No matching cuda flavor"};

    private Engines() {}

    /** Starts the PyTorch engine offline and returns it. Safe to call many times. */
    public static synchronized Engine pytorch() {
        System.setProperty("ai.djl.offline", "true");
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException e) {
            throw explain(e, bundledFlavor());
        }
    }

    /**
     * A CUDA build ({@code mvn -Pcuda package}) run without an NVIDIA GPU: DJL finds that the bundled
     * cu124 libtorch does not match, tries to download a CPU one and, offline, fails with "Failed to
     * save pytorch index file", which says nothing about the cause. This turns that into what to do.
     *
     * @param flavor the bundled libtorch flavor ("cpu", "cu124"), or null when unknown
     * @return the exception to throw: a clear one for the CUDA case, {@code e} otherwise
     */
    static RuntimeException explain(RuntimeException e, String flavor) {
        boolean download = false;
        for (Throwable t = e; t != null && !download; t = t.getCause()) {
            for (String failure : DOWNLOAD_FAILURES) {
                download |= t.getMessage() != null && t.getMessage().contains(failure);
            }
        }
        if (!download || flavor == null || !flavor.startsWith("cu")) {
            return e;
        }
        return new InvalidInputException("this cddpm was built for CUDA (libtorch " + flavor + ", `mvn -Pcuda package`) but no"
                + " usable NVIDIA GPU or driver is visible here, and libtorch is never downloaded (offline). Run it on a CUDA host,"
                + " or rebuild for the CPU with `mvn -B -DskipTests package` (without -Pcuda). DJL said: " + e.getMessage(), e);
    }

    /** The flavor of the pytorch-native jar on the classpath ("cpu", "cu124"), from its pytorch.properties; null if none. */
    static String bundledFlavor() {
        try (InputStream in = Engines.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("flavor");
        } catch (IOException e) {
            return null;
        }
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
