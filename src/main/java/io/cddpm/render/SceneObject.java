package io.cddpm.render;

/**
 * One object standing on the ground plane (z = 0, z up), CLEVR's conventions: a sphere of radius
 * {@code size}; a cylinder of radius {@code size} and height 2 size; a cube of half-side size / sqrt 2.
 *
 * @param label  the i-CLEVR label index (8 * shape + color)
 * @param size   CLEVR size (large 0.7, small 0.35)
 * @param x      ground position
 * @param y      ground position
 * @param angle  rotation about the vertical axis, radians
 */
public record SceneObject(int label, Material material, double size, double x, double y, double angle) {
    public ShapeKind shape() {
        return ShapeKind.values()[label / 8];
    }

    public int color() {
        return label % 8;
    }

    /** Half the extent of the object in its own frame (cube half-side, else radius). */
    public double halfExtent() {
        return shape() == ShapeKind.CUBE ? size / Math.sqrt(2.0) : size;
    }

    /** Height of the object's centre above the ground. */
    public double centreZ() {
        return halfExtent();
    }

    /** Radius of a bounding sphere around the centre. */
    public double boundingRadius() {
        double h = halfExtent();
        return switch (shape()) {
            case SPHERE -> h;
            case CYLINDER -> h * Math.sqrt(2.0);
            case CUBE -> h * Math.sqrt(3.0);
        };
    }

    /** Radius of the footprint on the ground, for spacing objects. */
    public double footprintRadius() {
        double h = halfExtent();
        return shape() == ShapeKind.CUBE ? h * Math.sqrt(2.0) : h;
    }
}
