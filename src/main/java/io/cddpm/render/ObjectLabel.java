package io.cddpm.render;

import java.util.List;
import java.util.Optional;

/**
 * One object as a label spells it, {@code "<color> <shape>"} (e.g. "red cube"): what the renderer
 * draws for the label and what a picture's caption shows for it. i-CLEVR's label index is
 * {@code 8 * shape + color}.
 *
 * @param color index into {@link #COLORS} (and {@link Palette})
 * @param shape the shape
 */
public record ObjectLabel(int color, ShapeKind shape) {
    /** i-CLEVR's colors in label-index order; {@link Palette} holds their sRGB values in the same order. */
    public static final List<String> COLORS = List.of("gray", "red", "blue", "green", "brown", "purple", "cyan", "yellow");

    /** The object a label names, or empty when it is not "<color> <shape>" with a known color and shape. */
    public static Optional<ObjectLabel> parse(String label) {
        String[] parts = label.trim().split("\\s+");
        if (parts.length != 2) {
            return Optional.empty();
        }
        int color = COLORS.indexOf(parts[0]);
        for (ShapeKind k : ShapeKind.values()) {
            if (color >= 0 && k.word().equalsIgnoreCase(parts[1])) {
                return Optional.of(new ObjectLabel(color, k));
            }
        }
        return Optional.empty();
    }

    /** The i-CLEVR label index, {@code 8 * shape + color}. */
    public int index() {
        return 8 * shape.ordinal() + color;
    }

    /** The color's sRGB triple (0-255), as the renderer paints it. */
    public int[] srgb() {
        return Palette.srgb(color);
    }

    public String colorName() {
        return COLORS.get(color);
    }
}
