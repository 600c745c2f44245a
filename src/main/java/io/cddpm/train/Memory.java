package io.cddpm.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, from /proc/self/status (Linux); -1 elsewhere. */
public final class Memory {
    private Memory() {}

    /** Current resident set size in bytes. */
    public static long residentBytes() {
        return field("VmRSS:");
    }

    /** Peak resident set size in bytes. */
    public static long peakResidentBytes() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
