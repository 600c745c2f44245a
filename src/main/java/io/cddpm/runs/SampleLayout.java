package io.cddpm.runs;

/**
 * The layout of a folder of generated images (what {@code cddpm sample --out} and a run's
 * {@code samples/TEST/} hold): {@code 000.png, 001.png, ...} in condition order, {@code images.npz}
 * (key {@code images}, float32 NCHW in [-1, 1]) and {@code grid.png}.
 */
public final class SampleLayout {
    public static final String ARRAY = "images.npz";
    public static final String ARRAY_KEY = "images";
    public static final String GRID = "grid.png";

    private SampleLayout() {}

    /** The PNG of the i-th condition. */
    public static String png(int index) {
        return String.format("%03d.png", index);
    }
}
