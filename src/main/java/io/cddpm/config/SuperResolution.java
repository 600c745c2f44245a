package io.cddpm.config;

/**
 * A model that is a cascade's super-resolution stage ({@code model.super_resolution}): it draws the
 * image at the experiment's resolution from a low-resolution one of side {@code from} (in training:
 * the training image average-pooled; in sampling: the base model's sample), upsampled and noised to
 * an augmentation level drawn per image from timesteps [0, augmentation_max) of the stage's schedule
 * (Ho et al. 2021, noise-conditioning augmentation). {@code from} null: a plain model.
 *
 * @param from            side of the low-resolution image (a power-of-two fraction of the resolution), or null
 * @param augmentationMax training draws each image's augmentation level from [0, augmentation_max)
 */
public record SuperResolution(Integer from, int augmentationMax) {
    public static SuperResolution defaults() {
        return new SuperResolution(null, 250);
    }

    public boolean enabled() {
        return from != null;
    }
}
