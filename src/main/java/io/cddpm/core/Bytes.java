package io.cddpm.core;

import java.util.Locale;

/** Byte counts for people: 1 decimal, binary units (KiB, MiB, GiB, TiB), as limits and estimates are stated. */
public final class Bytes {
    private Bytes() {}

    public static String show(double bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int u = 0;
        while (Math.abs(bytes) >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f bytes", bytes) : String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
    }
}
