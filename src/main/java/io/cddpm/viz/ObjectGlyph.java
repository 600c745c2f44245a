package io.cddpm.viz;

import io.cddpm.render.ObjectLabel;
import io.cddpm.render.ShapeKind;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;

/**
 * A small drawing of one object for captions and legends, so that a caption reads at a glance: the
 * object's shape (an isometric cube, a disc, an upright can) painted in its i-CLEVR color, with a dark
 * outline so that gray and yellow stay visible on a light background.
 */
final class ObjectGlyph {
    private static final Color OUTLINE = new Color(0x33, 0x33, 0x33);

    private ObjectGlyph() {}

    /** The object's glyph in its color, inside the square (x, y, size, size). */
    static void draw(Graphics2D g, ObjectLabel object, int x, int y, int size) {
        int[] c = object.srgb();
        draw(g, object.shape(), new Color(c[0], c[1], c[2]), x, y, size);
    }

    /** A shape's glyph in a given fill color, inside the square (x, y, size, size). */
    static void draw(Graphics2D g, ShapeKind shape, Color fill, int x, int y, int size) {
        Object aa = g.getRenderingHint(RenderingHints.KEY_ANTIALIASING);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setStroke(new BasicStroke(1f));
        switch (shape) {
            case CUBE -> cube(g, fill, x, y, size);
            case SPHERE -> sphere(g, fill, x, y, size);
            case CYLINDER -> cylinder(g, fill, x, y, size);
        }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, aa);
    }

    /** An isometric cube: a lighter top face, the front faces in the color and a darker side. */
    private static void cube(Graphics2D g, Color fill, int x, int y, int s) {
        int cx = x + s / 2;
        int q = Math.max(1, s / 4);
        Polygon top = new Polygon(new int[] {x, cx, x + s, cx}, new int[] {y + q, y, y + q, y + 2 * q}, 4);
        Polygon left = new Polygon(new int[] {x, cx, cx, x}, new int[] {y + q, y + 2 * q, y + s, y + s - q}, 4);
        Polygon right = new Polygon(new int[] {cx, x + s, x + s, cx}, new int[] {y + 2 * q, y + q, y + s - q, y + s}, 4);
        fill(g, top, fill.brighter());
        fill(g, left, fill);
        fill(g, right, fill.darker());
        g.setColor(OUTLINE);
        Area all = new Area(top);
        all.add(new Area(left));
        all.add(new Area(right));
        g.draw(all);
    }

    private static void sphere(Graphics2D g, Color fill, int x, int y, int s) {
        Ellipse2D disc = new Ellipse2D.Double(x + 0.5, y + 0.5, s - 1, s - 1);
        fill(g, disc, fill);
        double h = s / 3.0;
        fill(g, new Ellipse2D.Double(x + s * 0.25, y + s * 0.2, h, h), blend(fill, Color.WHITE));
        g.setColor(OUTLINE);
        g.draw(disc);
    }

    /** An upright can: the body in the color, its lighter top ellipse. */
    private static void cylinder(Graphics2D g, Color fill, int x, int y, int s) {
        double e = Math.max(2, s / 3.0);
        double w = s * 0.8;
        double left = x + (s - w) / 2;
        Area body = new Area(new Rectangle2D.Double(left, y + e / 2, w, s - e));
        body.add(new Area(new Ellipse2D.Double(left, y + s - e, w, e)));
        Ellipse2D top = new Ellipse2D.Double(left, y, w, e);
        fill(g, body, fill);
        fill(g, top, fill.brighter());
        g.setColor(OUTLINE);
        Area outline = new Area(body);
        outline.add(new Area(top));
        g.draw(outline);
        g.draw(top);
    }

    private static void fill(Graphics2D g, Shape shape, Color color) {
        g.setColor(color);
        g.fill(shape);
    }

    private static Color blend(Color a, Color b) {
        return new Color((a.getRed() + b.getRed()) / 2, (a.getGreen() + b.getGreen()) / 2, (a.getBlue() + b.getBlue()) / 2);
    }
}
