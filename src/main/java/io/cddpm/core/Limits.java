package io.cddpm.core;

import java.util.Optional;

/**
 * The upper bound of every size cddpm accepts, in one place. Each size a user can give (a YAML key
 * or a command-line option) is checked against its bound before any work, so a typo such as
 * {@code --size 99999999} or {@code train_timesteps: 2000000000} is an input error naming the key,
 * the value and the limit (exit 2) instead of hours of rendering or an OutOfMemoryError. The
 * limits are generous for the task (64x64 scenes, a few million parameters) and stated in
 * experiments/README.md; what depends on the machine (the model and batch against its memory) is
 * estimated by {@code config.TrainingFootprint}.
 */
public final class Limits {
    /** Smallest image side in pixels: the renderer's objects need 8 pixels to stay visible. */
    public static final int MIN_IMAGE_SIZE = 8;
    /** Largest image side in pixels (resolution, --size): 8 x the course's 64; a 512x512 train.json alone is 13 GiB of pixels. */
    public static final int MAX_IMAGE_SIZE = 512;
    /** Largest experiment file: real ones are a few kilobytes; the YAML parser needs about 15x the file in memory. */
    public static final long MAX_CONFIG_BYTES = 1L << 20;
    /** Most points of a sweep grid (trials times sampling points), counted before the grid is expanded. */
    public static final long MAX_SWEEP_POINTS = 1_000;
    /** Most diffusion timesteps T: diffusers uses 1,000; the schedule tables and DDPM sampling grow with T. */
    public static final int MAX_TRAIN_TIMESTEPS = 100_000;
    /** Most channels of one UNet level (Stable Diffusion's widest has 1,280). */
    public static final int MAX_CHANNELS = 4_096;
    /** Most UNet levels: a 512-pixel image can be halved 9 times. */
    public static final int MAX_LEVELS = 10;
    /** Most ResNet layers per UNet level (diffusers' models use 1 to 3). */
    public static final int MAX_LAYERS_PER_BLOCK = 16;
    /** Longest experiment name in UTF-8 bytes: it names a folder (255 bytes on most file systems) and the MLflow experiment. */
    public static final int MAX_NAME_BYTES = 128;
    /** Most images one {@code data synth --conditions} renders (--count): 5 x train.json. */
    public static final int MAX_RENDER_COUNT = 100_000;
    /** Most worker threads a command starts (--threads): each holds a renderer and its stack. */
    public static final int MAX_THREADS = 256;
    /** Images per forward pass when sampling ({@code --batch}): a batch holds the guided rows of every image at once. */
    public static final int MAX_SAMPLING_BATCH = 4_096;
    /** Most bytes of a dataset's pixels, which are held as one Java array. */
    public static final long MAX_DATASET_BYTES = BoundedReads.MAX_ARRAY;

    private Limits() {}

    /** {@code size} as an image side for {@code what} (an option or key), or an error naming both and the range. */
    public static int imageSize(int size, String what) {
        if (size < MIN_IMAGE_SIZE || size > MAX_IMAGE_SIZE) {
            throw new InvalidInputException(what + " " + size + ": must be between " + MIN_IMAGE_SIZE + " and " + MAX_IMAGE_SIZE
                    + " pixels");
        }
        return size;
    }

    /**
     * Why {@code images} square RGB images of the given side (uint8 pixels) cannot be held as one
     * dataset, or empty when they can: their pixels are one Java array.
     */
    public static Optional<String> datasetTooLarge(long images, int size) {
        double bytes = (double) images * 3 * size * size;
        if (bytes <= MAX_DATASET_BYTES) {
            return Optional.empty();
        }
        return Optional.of(images + " images at " + size + "x" + size + " take " + Bytes.show(bytes) + " of pixels, more than the "
                + Bytes.show(MAX_DATASET_BYTES) + " a dataset is held in (one array); use fewer images or a lower resolution");
    }
}
