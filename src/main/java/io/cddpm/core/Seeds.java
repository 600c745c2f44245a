package io.cddpm.core;

/** Deriving independent, well-mixed seeds from (seed, index) pairs (SplitMix64's finaliser). */
public final class Seeds {
    private Seeds() {}

    public static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
