package io.cddpm.render;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A small ray tracer for CLEVR-like scenes: a matte gray ground plane, spheres, cylinders and cubes
 * in rubber or metal, a key light with soft shadows, fill and rim lights, supersampled
 * anti-aliasing. Deterministic: all jitter comes from a hash of (scene seed, pixel, sample).
 * One instance per thread (it keeps scratch state).
 */
public final class RayTracer {
    private static final double GROUND_ALBEDO = 0.24;
    private static final double AMBIENT = 0.30;
    private static final double KEY = 0.95;
    private static final double FILL = 0.30;
    private static final double RIM = 0.20;
    private static final double[] FILL_DIR = Camera.normalize(-0.6, -0.4, 0.7);
    private static final double[] RIM_DIR = Camera.normalize(0.3, 0.9, 0.5);
    private static final double KEY_SOFTNESS = 0.12;

    private static final double[][] ALBEDOS = new double[8][];

    static {
        for (int c = 0; c < 8; c++) {
            ALBEDOS[c] = Palette.linear(c);
        }
    }

    private final double[] groundAlbedo = new double[3];
    private final int samplesPerAxis;
    // scratch hit record
    private double hitT;
    private int hitObject;
    private double nx, ny, nz;
    private final double[] dir = new double[3];

    /** @param samplesPerAxis supersampling: samplesPerAxis^2 rays per pixel */
    public RayTracer(int samplesPerAxis) {
        this.samplesPerAxis = samplesPerAxis;
    }

    /** Renders the scene as a size x size RGB image. */
    public BufferedImage render(Scene scene, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        List<SceneObject> objects = scene.objects();
        SceneObject[] objs = objects.toArray(new SceneObject[0]);
        int s = samplesPerAxis;
        double[] rgb = new double[3];
        double[] acc = new double[3];
        for (int py = 0; py < size; py++) {
            for (int px = 0; px < size; px++) {
                acc[0] = acc[1] = acc[2] = 0;
                int pixel = py * size + px;
                for (int sy = 0; sy < s; sy++) {
                    for (int sx = 0; sx < s; sx++) {
                        int sample = sy * s + sx;
                        double jx = (sx + unit(scene.jitterSeed(), pixel, sample, 0)) / s;
                        double jy = (sy + unit(scene.jitterSeed(), pixel, sample, 1)) / s;
                        double ix = ((px + jx) / size) * 2 - 1;
                        double iy = 1 - ((py + jy) / size) * 2;
                        scene.camera().direction(ix, iy, dir);
                        Camera c = scene.camera();
                        shade(objs, scene, c.ox, c.oy, c.oz, dir[0], dir[1], dir[2], pixel, sample, /* primary= */ true, rgb);
                        acc[0] += rgb[0];
                        acc[1] += rgb[1];
                        acc[2] += rgb[2];
                    }
                }
                double n = s * s;
                int r = Palette.toSrgb(acc[0] / n);
                int g = Palette.toSrgb(acc[1] / n);
                int b = Palette.toSrgb(acc[2] / n);
                image.setRGB(px, py, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /**
     * For each object, how many pixel centres of a size x size render see it (first hit), and how many
     * would see it were it alone in the scene.
     */
    public int[][] visibility(Scene scene, int size) {
        SceneObject[] objs = scene.objects().toArray(new SceneObject[0]);
        int[] visible = new int[objs.length];
        int[] alone = new int[objs.length];
        Camera c = scene.camera();
        for (int py = 0; py < size; py++) {
            for (int px = 0; px < size; px++) {
                double ix = ((px + 0.5) / size) * 2 - 1;
                double iy = 1 - ((py + 0.5) / size) * 2;
                c.direction(ix, iy, dir);
                if (intersect(objs, c.ox, c.oy, c.oz, dir[0], dir[1], dir[2], -1) && hitObject >= 0) {
                    visible[hitObject]++;
                }
                for (int k = 0; k < objs.length; k++) {
                    if (intersectObject(objs[k], c.ox, c.oy, c.oz, dir[0], dir[1], dir[2]) < Double.MAX_VALUE) {
                        alone[k]++;
                    }
                }
            }
        }
        return new int[][] {visible, alone};
    }

    private void shade(SceneObject[] objs, Scene scene, double ox, double oy, double oz, double dx, double dy, double dz,
            int pixel, int sample, boolean primary, double[] out) {
        if (!intersect(objs, ox, oy, oz, dx, dy, dz, -1)) {
            // looking above the horizon: a dim studio backdrop
            double v = 0.10 + 0.05 * Math.max(0, dz);
            out[0] = out[1] = out[2] = v;
            return;
        }
        double t = hitT;
        int obj = hitObject;
        double hx = ox + t * dx, hy = oy + t * dy, hz = oz + t * dz;
        double nnx = nx, nny = ny, nnz = nz;
        double[] albedo;
        boolean metal = false;
        if (obj < 0) {
            // ground: slightly darker far from the scene centre, as CLEVR's backdrop falls off
            double falloff = Math.exp(-(hx * hx + hy * hy) / 70.0);
            double a = GROUND_ALBEDO * (0.6 + 0.4 * falloff);
            albedo = groundAlbedo;
            albedo[0] = albedo[1] = albedo[2] = a;
        } else {
            albedo = ALBEDOS[objs[obj].color()];
            metal = objs[obj].material() == Material.METAL;
        }
        double[] key = scene.keyLight();
        // soft key light: jitter its direction within a small cone per sample
        double jx = (unit(scene.jitterSeed(), pixel, sample, 2) - 0.5) * 2 * KEY_SOFTNESS;
        double jy = (unit(scene.jitterSeed(), pixel, sample, 3) - 0.5) * 2 * KEY_SOFTNESS;
        double[] l = Camera.normalize(key[0] + jx, key[1] + jy, key[2]);
        double eps = 1e-4;
        double px = hx + nnx * eps, py = hy + nny * eps, pz = hz + nnz * eps;
        double ndl = nnx * l[0] + nny * l[1] + nnz * l[2];
        double shadow = 1.0;
        if (ndl > 0 && occluded(objs, px, py, pz, l[0], l[1], l[2])) {
            shadow = 0.0;
        }
        double diffuse = AMBIENT * (0.7 + 0.3 * nnz)
                + KEY * Math.max(0, ndl) * shadow
                + FILL * Math.max(0, nnx * FILL_DIR[0] + nny * FILL_DIR[1] + nnz * FILL_DIR[2])
                + RIM * Math.max(0, nnx * RIM_DIR[0] + nny * RIM_DIR[1] + nnz * RIM_DIR[2]);
        // reflection direction and specular highlight
        double dn = dx * nnx + dy * nny + dz * nnz;
        double rx = dx - 2 * dn * nnx, ry = dy - 2 * dn * nny, rz = dz - 2 * dn * nnz;
        double rl = Math.max(0, rx * l[0] + ry * l[1] + rz * l[2]);
        if (!metal) {
            double spec = obj < 0 ? 0 : 0.05 * Math.pow(rl, 12) * shadow;
            for (int i = 0; i < 3; i++) {
                out[i] = albedo[i] * diffuse + spec;
            }
            return;
        }
        double spec = 0.9 * Math.pow(rl, 90) * shadow;
        double[] reflected = new double[3];
        if (primary) {
            shade(objs, scene, px, py, pz, rx, ry, rz, pixel, sample, /* primary= */ false, reflected);
        } else {
            reflected[0] = reflected[1] = reflected[2] = 0.15;
        }
        for (int i = 0; i < 3; i++) {
            double tint = 0.08 + 0.92 * albedo[i] / Math.max(1e-3, Math.max(albedo[0], Math.max(albedo[1], albedo[2])));
            out[i] = 0.35 * albedo[i] * diffuse + 0.9 * tint * reflected[i] * (0.6 + 0.6 * Math.max(albedo[0], Math.max(albedo[1], albedo[2]))) + spec;
        }
    }

    /** Whether any object blocks the ray (shadow test: any hit will do). */
    private boolean occluded(SceneObject[] objs, double ox, double oy, double oz, double dx, double dy, double dz) {
        for (SceneObject o : objs) {
            if (intersectObject(o, ox, oy, oz, dx, dy, dz) < Double.MAX_VALUE) {
                return true;
            }
        }
        return false;
    }

    /** Nearest hit among ground and objects; sets hitT, hitObject (-1 ground) and the normal. */
    private boolean intersect(SceneObject[] objs, double ox, double oy, double oz, double dx, double dy, double dz, int skip) {
        double best = Double.MAX_VALUE;
        int bestObj = Integer.MIN_VALUE;
        double bx = 0, by = 0, bz = 0;
        if (dz < -1e-9) {
            double t = -oz / dz;
            if (t > 1e-6) {
                best = t;
                bestObj = -1;
                bx = 0;
                by = 0;
                bz = 1;
            }
        }
        for (int k = 0; k < objs.length; k++) {
            if (k == skip) {
                continue;
            }
            double t = intersectObject(objs[k], ox, oy, oz, dx, dy, dz);
            if (t < best) {
                best = t;
                bestObj = k;
                bx = nx;
                by = ny;
                bz = nz;
            }
        }
        if (bestObj == Integer.MIN_VALUE) {
            return false;
        }
        hitT = best;
        hitObject = bestObj;
        nx = bx;
        ny = by;
        nz = bz;
        return true;
    }

    /** Distance to the object along the ray, or MAX_VALUE; sets the normal (nx, ny, nz). */
    private double intersectObject(SceneObject o, double ox, double oy, double oz, double dx, double dy, double dz) {
        double h = o.halfExtent();
        double cx = ox - o.x(), cy = oy - o.y(), cz = oz - h;
        double br = o.boundingRadius();
        double bb = cx * dx + cy * dy + cz * dz;
        if (bb * bb - (cx * cx + cy * cy + cz * cz - br * br) < 0) {
            return Double.MAX_VALUE;
        }
        switch (o.shape()) {
            case SPHERE: {
                double b = cx * dx + cy * dy + cz * dz;
                double c = cx * cx + cy * cy + cz * cz - h * h;
                double disc = b * b - c;
                if (disc < 0) {
                    return Double.MAX_VALUE;
                }
                double sq = Math.sqrt(disc);
                double t = -b - sq;
                if (t < 1e-6) {
                    t = -b + sq;
                    if (t < 1e-6) {
                        return Double.MAX_VALUE;
                    }
                }
                nx = (cx + t * dx) / h;
                ny = (cy + t * dy) / h;
                nz = (cz + t * dz) / h;
                return t;
            }
            case CYLINDER: {
                double best = Double.MAX_VALUE;
                double a = dx * dx + dy * dy;
                if (a > 1e-12) {
                    double b = cx * dx + cy * dy;
                    double c = cx * cx + cy * cy - h * h;
                    double disc = b * b - a * c;
                    if (disc >= 0) {
                        double sq = Math.sqrt(disc);
                        for (double t : new double[] {(-b - sq) / a, (-b + sq) / a}) {
                            if (t > 1e-6 && t < best) {
                                double z = cz + t * dz;
                                if (z >= -h && z <= h) {
                                    best = t;
                                    nx = (cx + t * dx) / h;
                                    ny = (cy + t * dy) / h;
                                    nz = 0;
                                    break;
                                }
                            }
                        }
                    }
                }
                if (Math.abs(dz) > 1e-12) {
                    double t = (h - cz) / dz; // top cap at local z = +h
                    if (t > 1e-6 && t < best) {
                        double x = cx + t * dx, y = cy + t * dy;
                        if (x * x + y * y <= h * h) {
                            best = t;
                            nx = 0;
                            ny = 0;
                            nz = 1;
                        }
                    }
                }
                return best;
            }
            default: { // cube, rotated about z
                double cos = Math.cos(o.angle()), sin = Math.sin(o.angle());
                double lx = cos * cx + sin * cy, ly = -sin * cx + cos * cy;
                double ldx = cos * dx + sin * dy, ldy = -sin * dx + cos * dy;
                double tmin = -Double.MAX_VALUE, tmax = Double.MAX_VALUE;
                int axis = -1;
                double sign = 0;
                double[] org = {lx, ly, cz};
                double[] d = {ldx, ldy, dz};
                for (int i = 0; i < 3; i++) {
                    if (Math.abs(d[i]) < 1e-12) {
                        if (org[i] < -h || org[i] > h) {
                            return Double.MAX_VALUE;
                        }
                        continue;
                    }
                    double t1 = (-h - org[i]) / d[i];
                    double t2 = (h - org[i]) / d[i];
                    double s = -1;
                    if (t1 > t2) {
                        double tmp = t1;
                        t1 = t2;
                        t2 = tmp;
                        s = 1;
                    }
                    if (t1 > tmin) {
                        tmin = t1;
                        axis = i;
                        sign = s;
                    }
                    tmax = Math.min(tmax, t2);
                    if (tmin > tmax) {
                        return Double.MAX_VALUE;
                    }
                }
                if (tmin < 1e-6 || axis < 0) {
                    return Double.MAX_VALUE;
                }
                double lnx = axis == 0 ? sign : 0, lny = axis == 1 ? sign : 0;
                nx = cos * lnx - sin * lny;
                ny = sin * lnx + cos * lny;
                nz = axis == 2 ? sign : 0;
                return tmin;
            }
        }
    }

    /** A deterministic uniform number in [0, 1) from (seed, pixel, sample, stream). */
    static double unit(long seed, int pixel, int sample, int stream) {
        long z = seed ^ (pixel * 0x9E3779B97F4A7C15L) ^ ((long) sample << 32) ^ ((long) stream * 0xD1B54A32D192ED03L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
