package io.cddpm.tracking;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * The artifact layout of MLflow's {@code log_image(image, key=, step=)}, which the run page's image grid
 * and the experiment's chart view read (with a step slider): the full image at
 * {@code images/<key>+step+<step>+timestamp+<millis>+<uuid>.png}, a thumbnail no larger than 256 pixels
 * at {@code ...+compressed.<ext>}, and the run tag {@code mlflow.loggedImages}.
 * <p>
 * MLflow's Python client separates the parts with '%', but the 2.17 artifact proxy URL-decodes
 * an upload's path until it stops changing, so '%17...' (every timestamp) and a '%' before a uuid
 * that starts with two hex digits become control bytes and the UI cannot parse the names (MLflow
 * issue 14136; 2.22 escapes them back). The UI (2.17 to 2.22) parses '+' as the separator as well,
 * and '+' survives every proxy, so '+' it is here. A '/' in a key becomes '#' in MLflow; the proxy
 * refuses '#' in paths, so keys here have no '/'. MLflow writes the thumbnail as WebP; the JDK has no WebP writer, so it is a
 * PNG (the UI takes png or webp).
 */
final class ImageArtifacts {
    static final String FOLDER = "images";
    static final String LOGGED_IMAGES_TAG = "mlflow.loggedImages";
    static final int THUMBNAIL_SIZE = 256;
    /** The separator of the name's parts (see above why not '%'). */
    static final String SEP = "+";
    private static final Pattern KEY = Pattern.compile("[a-zA-Z0-9_\\-. ]+");

    private ImageArtifacts() {}

    /** Refuses the keys MLflow refuses. */
    static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("image key '" + key + "' may only contain letters, digits, '_', '-', '.' and ' '");
        }
        return key;
    }

    /** The artifact path of the image without extension. */
    static String base(String key, long step, long timestamp, String uuid) {
        return FOLDER + "/" + key + SEP + "step" + SEP + step + SEP + "timestamp" + SEP + timestamp + SEP + uuid;
    }

    static String full(String base) {
        return base + ".png";
    }

    static String compressed(String base) {
        return base + SEP + "compressed.png";
    }

    /** Writes the thumbnail of png (scaled so its longer side is 256, as MLflow's compress_image_size) to out. */
    static void writeThumbnail(Path png, Path out) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        if (image == null) {
            throw new IOException(png + " is not an image ImageIO can read");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int nw = w > h ? THUMBNAIL_SIZE : Math.max(1, (int) (w * (THUMBNAIL_SIZE / (double) h)));
        int nh = w > h ? Math.max(1, (int) (h * (THUMBNAIL_SIZE / (double) w))) : THUMBNAIL_SIZE;
        BufferedImage small = new BufferedImage(nw, nh, BufferedImage.TYPE_INT_RGB);
        var g = small.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, nw, nh, null);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(small, "png", out.toFile())) {
            throw new IOException("no PNG writer");
        }
    }
}
