package io.cddpm.render;

/** The three i-CLEVR shapes, in label-index order (index = 8 * shape + color). */
public enum ShapeKind {
    CUBE,
    SPHERE,
    CYLINDER
}
