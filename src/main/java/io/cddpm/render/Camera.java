package io.cddpm.render;

/**
 * A pinhole camera. i-CLEVR images are CLEVR's 320x240 renders squeezed to a square, so the camera
 * keeps CLEVR's 4:3 field of view (Blender's 35 mm lens on a 32 mm sensor) whatever the output size.
 */
public final class Camera {
    static final double TAN_HALF_H = 16.0 / 35.0;
    static final double TAN_HALF_V = 12.0 / 35.0;

    final double ox, oy, oz;
    // orthonormal basis: forward f, right r, up u
    final double fx, fy, fz, rx, ry, rz, ux, uy, uz;

    public Camera(double ox, double oy, double oz, double tx, double ty, double tz) {
        this.ox = ox;
        this.oy = oy;
        this.oz = oz;
        double[] f = normalize(tx - ox, ty - oy, tz - oz);
        double[] r = normalize(f[1], -f[0], 0); // forward x world-up(0,0,1)
        double[] u = {r[1] * f[2] - r[2] * f[1], r[2] * f[0] - r[0] * f[2], r[0] * f[1] - r[1] * f[0]};
        fx = f[0]; fy = f[1]; fz = f[2];
        rx = r[0]; ry = r[1]; rz = r[2];
        ux = u[0]; uy = u[1]; uz = u[2];
    }

    static double[] normalize(double x, double y, double z) {
        double n = Math.sqrt(x * x + y * y + z * z);
        return new double[] {x / n, y / n, z / n};
    }

    /** Direction (unnormalised is fine for tracing, but we normalise) through image point (sx, sy) in [-1, 1], sy up. */
    void direction(double sx, double sy, double[] out) {
        double a = sx * TAN_HALF_H;
        double b = sy * TAN_HALF_V;
        double dx = fx + a * rx + b * ux;
        double dy = fy + a * ry + b * uy;
        double dz = fz + a * rz + b * uz;
        double n = Math.sqrt(dx * dx + dy * dy + dz * dz);
        out[0] = dx / n;
        out[1] = dy / n;
        out[2] = dz / n;
    }

    /** Projects a world point to image coordinates in [-1, 1] (x right, y up); null when behind the camera. */
    double[] project(double px, double py, double pz) {
        double dx = px - ox, dy = py - oy, dz = pz - oz;
        double depth = dx * fx + dy * fy + dz * fz;
        if (depth <= 1e-9) {
            return null;
        }
        double a = (dx * rx + dy * ry + dz * rz) / depth / TAN_HALF_H;
        double b = (dx * ux + dy * uy + dz * uz) / depth / TAN_HALF_V;
        return new double[] {a, b, depth};
    }
}
