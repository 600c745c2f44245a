package io.cddpm.render;

import java.util.Locale;

/** The three i-CLEVR shapes, in label-index order (index = 8 * shape + color). */
public enum ShapeKind {
    CUBE,
    SPHERE,
    CYLINDER;

    /** The word labels spell the shape with: "cube", "sphere", "cylinder". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
