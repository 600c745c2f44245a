package io.cddpm.viz;

import io.cddpm.render.ObjectLabel;
import io.cddpm.render.ShapeKind;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A grid of single-object samples laid out as a shape x color table (the built-in {@code singles}: rows
 * cube, sphere, cylinder; columns gray, red, ..., yellow), drawn with a legend instead of a caption per
 * sample: each column headed by its color's name over a bar of that color, each row by its shape's
 * glyph and name.
 *
 * @param rows    the shape of each row
 * @param columns the color of each column
 */
record LegendGrid(List<ShapeKind> rows, List<ObjectLabel> columns) {
    private static final int BAR = 5;
    private static final int GAP = 4;
    private static final int FONT = 13;

    /**
     * The table the conditions form with {@code perRow} per row, if they form one: every condition one
     * i-CLEVR object, the rows full, each row one shape, each column one color, no color twice in a row.
     */
    static Optional<LegendGrid> of(List<List<String>> conditions, int perRow) {
        if (conditions.size() < perRow || conditions.size() % perRow != 0) {
            return Optional.empty();
        }
        List<ObjectLabel> objects = new ArrayList<>();
        for (List<String> c : conditions) {
            Optional<ObjectLabel> o = c.size() == 1 ? ObjectLabel.parse(c.get(0)) : Optional.empty();
            if (o.isEmpty()) {
                return Optional.empty();
            }
            objects.add(o.get());
        }
        List<ShapeKind> rows = new ArrayList<>();
        List<ObjectLabel> columns = objects.subList(0, perRow);
        if (new HashSet<>(columns.stream().map(ObjectLabel::color).toList()).size() != perRow) {
            return Optional.empty();
        }
        Set<ShapeKind> seen = new HashSet<>();
        for (int r = 0; r < objects.size() / perRow; r++) {
            ShapeKind shape = objects.get(r * perRow).shape();
            if (!seen.add(shape)) {
                return Optional.empty();
            }
            for (int c = 0; c < perRow; c++) {
                ObjectLabel o = objects.get(r * perRow + c);
                if (o.shape() != shape || o.color() != columns.get(c).color()) {
                    return Optional.empty();
                }
            }
            rows.add(shape);
        }
        return Optional.of(new LegendGrid(List.copyOf(rows), List.copyOf(columns)));
    }

    /** The (already enlarged) tiles, one per table cell in row order, with the legend row above and column left. */
    BufferedImage draw(List<BufferedImage> tiles) {
        BufferedImage grid = ImageGrid.of(tiles, columns.size(), LabelledGrid.PADDING, LabelledGrid.BACKGROUND);
        int tw = tiles.get(0).getWidth();
        int th = tiles.get(0).getHeight();
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = LabelledGrid.graphics(probe);
        FontMetrics fm = pg.getFontMetrics(new Font(Font.SANS_SERIF, Font.BOLD, FONT));
        pg.dispose();
        int glyph = fm.getAscent();
        int left = 0;
        for (ShapeKind s : rows) {
            left = Math.max(left, glyph + GAP + fm.stringWidth(s.word()));
        }
        left += 2 * GAP;
        int top = GAP + fm.getHeight() + BAR + GAP;
        BufferedImage out = new BufferedImage(left + grid.getWidth(), top + grid.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = LabelledGrid.graphics(out);
        try {
            g.setColor(LabelledGrid.BACKGROUND);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.drawImage(grid, left, top, null);
            g.setFont(fm.getFont());
            for (int c = 0; c < columns.size(); c++) {
                ObjectLabel o = columns.get(c);
                int x0 = left + LabelledGrid.PADDING + c * (tw + LabelledGrid.PADDING);
                String text = LabelledGrid.fitted(fm, o.colorName(), tw);
                g.setColor(LabelledGrid.INK);
                g.drawString(text, x0 + (tw - fm.stringWidth(text)) / 2, GAP + fm.getAscent());
                int[] rgb = o.srgb();
                int barY = GAP + fm.getHeight();
                g.setColor(new Color(rgb[0], rgb[1], rgb[2]));
                g.fillRect(x0, barY, tw, BAR);
                g.setColor(LabelledGrid.INK);
                g.drawRect(x0, barY, tw - 1, BAR - 1);
            }
            for (int r = 0; r < rows.size(); r++) {
                int centre = top + LabelledGrid.PADDING + r * (th + LabelledGrid.PADDING) + th / 2;
                ObjectGlyph.draw(g, rows.get(r), Color.GRAY, GAP, centre - glyph / 2, glyph);
                g.setColor(LabelledGrid.INK);
                g.drawString(rows.get(r).word(), GAP + glyph + GAP, centre + (fm.getAscent() - fm.getDescent()) / 2);
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
