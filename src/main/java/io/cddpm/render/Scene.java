package io.cddpm.render;

import java.util.List;

/**
 * What one image shows: objects on the ground plane, the camera, the key light's direction and a
 * seed for the anti-aliasing and soft-shadow jitter (so a scene renders the same on any thread).
 */
public record Scene(List<SceneObject> objects, Camera camera, double[] keyLight, long jitterSeed) {
    public Scene {
        objects = List.copyOf(objects);
    }

    public Scene with(List<SceneObject> newObjects) {
        return new Scene(newObjects, camera, keyLight, jitterSeed);
    }
}
