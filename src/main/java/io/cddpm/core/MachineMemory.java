package io.cddpm.core;

import java.lang.management.ManagementFactory;

/**
 * The physical memory of this machine (the container's limit where one is set), against which a
 * training's estimated footprint is checked before it starts: libtorch allocates outside the Java
 * heap, so -Xmx is not the bound, the machine is.
 */
public final class MachineMemory {
    private MachineMemory() {}

    /** Total physical memory in bytes, or {@link Long#MAX_VALUE} when the JVM cannot tell (then nothing is refused). */
    public static long totalBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            return total > 0 ? total : Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }
}
