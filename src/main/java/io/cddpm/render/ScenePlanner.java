package io.cddpm.render;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Places objects the way CLEVR does (uniform positions in [-3, 3]^2, a random material and
 * rotation, a minimum gap between objects, camera and light jitter) and keeps a placement only
 * when every object is clearly visible at the target resolution: inside the frame and not hidden
 * behind another object. Objects are added one at a time; earlier ones keep their place.
 */
public final class ScenePlanner {
    /** Fewest pixel centres of an object that must be visible at the check resolution. */
    static final int MIN_VISIBLE_PIXELS = 6;
    /** Smallest visible fraction of an object's unoccluded footprint. */
    static final double MIN_VISIBLE_FRACTION = 0.6;
    static final double MIN_GAP = 0.25;
    private static final int TRIES_PER_OBJECT = 200;
    /**
     * Every object has CLEVR's large size. The labels name no size, and CLEVR's small size (0.35)
     * covers 3-4 pixels at 64x64, where a cube, a sphere and a cylinder cannot be told apart: no
     * classifier can score such an object and no generator can be judged on it.
     */
    static final double OBJECT_SIZE = 0.7;

    private final int checkSize;
    private final RayTracer visibilityTracer = new RayTracer(1);

    /** @param checkSize resolution at which visibility is enforced (at least 64) */
    public ScenePlanner(int checkSize) {
        this.checkSize = Math.max(64, checkSize);
    }

    /** A fresh scene: camera and lights jittered, no objects yet. */
    public Scene emptyScene(SplittableRandom random) {
        Camera camera = new Camera(
                7.358 + jitter(random, 0.5), -6.925 + jitter(random, 0.5), 4.958 + jitter(random, 0.5),
                jitter(random, 0.2), jitter(random, 0.2), 0.0);
        double[] key = Camera.normalize(-0.4 + jitter(random, 0.15), -0.9 + jitter(random, 0.15), 1.25 + jitter(random, 0.15));
        return new Scene(List.of(), camera, key, random.nextLong());
    }

    /**
     * Adds an object with the given label to the scene, placed so that every object stays clearly
     * visible; returns null when no placement works (the caller restarts the scene).
     */
    public Scene add(Scene scene, int label, SplittableRandom random) {
        for (int attempt = 0; attempt < TRIES_PER_OBJECT; attempt++) {
            SceneObject candidate = new SceneObject(
                    label,
                    random.nextBoolean() ? Material.RUBBER : Material.METAL,
                    OBJECT_SIZE,
                    random.nextDouble(-3, 3),
                    random.nextDouble(-3, 3),
                    random.nextDouble(0, Math.PI / 2));
            if (!spaced(scene.objects(), candidate) || !inFrame(scene.camera(), candidate)) {
                continue;
            }
            List<SceneObject> objects = new ArrayList<>(scene.objects());
            objects.add(candidate);
            Scene next = scene.with(objects);
            if (allVisible(next)) {
                return next;
            }
        }
        return null;
    }

    private static boolean spaced(List<SceneObject> objects, SceneObject candidate) {
        for (SceneObject o : objects) {
            double dx = o.x() - candidate.x(), dy = o.y() - candidate.y();
            if (Math.sqrt(dx * dx + dy * dy) < o.footprintRadius() + candidate.footprintRadius() + MIN_GAP) {
                return false;
            }
        }
        return true;
    }

    /** The object's bounding sphere projects fully inside the image (with a one-pixel margin). */
    private boolean inFrame(Camera camera, SceneObject o) {
        double[] p = camera.project(o.x(), o.y(), o.centreZ());
        if (p == null) {
            return false;
        }
        double radius = o.boundingRadius() / p[2];
        double rx = radius / Camera.TAN_HALF_H, ry = radius / Camera.TAN_HALF_V;
        double margin = 2.0 / checkSize;
        return Math.abs(p[0]) + rx < 1 - margin && Math.abs(p[1]) + ry < 1 - margin;
    }

    boolean allVisible(Scene scene) {
        int[][] counts = visibilityTracer.visibility(scene, checkSize);
        for (int k = 0; k < counts[0].length; k++) {
            if (counts[0][k] < MIN_VISIBLE_PIXELS || counts[0][k] < MIN_VISIBLE_FRACTION * counts[1][k]) {
                return false;
            }
        }
        return true;
    }

    private static double jitter(SplittableRandom random, double amount) {
        return random.nextDouble(-amount, amount);
    }
}
