package io.cddpm.data;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * One epoch of shuffled mini-batches over a dataset: the order is a permutation seeded by (seed,
 * epoch), so a run can be resumed at any epoch and see the same batches. With horizontal flips on,
 * whether an image is mirrored is a pure function of (seed, epoch, image index), so a resumed epoch
 * mirrors the same images too. Arrays are created in the manager the caller passes to
 * {@link #next(NDManager)} (a per-step sub-manager, typically).
 */
public final class BatchIterator {
    /** What happens to the last, smaller batch of an epoch. */
    public enum Remainder { KEEP, DROP }

    /** Images (B, 3, R, R) float32 in [-1, 1] and labels (B, L) float32 multi-hot. */
    public record Batch(NDArray images, NDArray labels) {}

    private final IclevrDataset dataset;
    private final int batchSize;
    private final boolean dropLast;
    private final int[] order;
    private final boolean hflip;
    private final long flipSeed;
    private int position;

    public BatchIterator(IclevrDataset dataset, int batchSize, Remainder remainder, long seed, int epoch) {
        this(dataset, batchSize, remainder, seed, epoch, false);
    }

    /** @param hflip mirror each image left-right with probability 1/2 (decided per image and epoch) */
    public BatchIterator(IclevrDataset dataset, int batchSize, Remainder remainder, long seed, int epoch, boolean hflip) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive");
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.dropLast = remainder == Remainder.DROP;
        long epochSeed = seed * 1_000_003L + epoch;
        this.order = permutation(dataset.size(), new SplittableRandom(epochSeed));
        this.hflip = hflip;
        this.flipSeed = new SplittableRandom(epochSeed).split().nextLong();
    }

    /** Whether dataset image {@code index} is mirrored in this epoch. */
    public boolean mirrored(int index) {
        return hflip && (new SplittableRandom(flipSeed ^ (index * 0x9E3779B97F4A7C15L)).nextLong() & 1L) != 0;
    }

    static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Batches in this epoch. */
    public int batches() {
        return dropLast ? order.length / batchSize : (order.length + batchSize - 1) / batchSize;
    }

    public boolean hasNext() {
        int remaining = order.length - position;
        return dropLast ? remaining >= batchSize : remaining > 0;
    }

    /** The dataset indices of the next batch, advancing the iterator. */
    public int[] nextIndices() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int b = Math.min(batchSize, order.length - position);
        int[] idx = new int[b];
        System.arraycopy(order, position, idx, 0, b);
        position += b;
        return idx;
    }

    public Batch next(NDManager manager) {
        int[] idx = nextIndices();
        int r = dataset.resolution();
        int imageFloats = dataset.imageBytes();
        float[] images = new float[idx.length * imageFloats];
        float[] labels = new float[idx.length * dataset.numLabels()];
        for (int i = 0; i < idx.length; i++) {
            dataset.image(idx[i], images, i * imageFloats);
            if (mirrored(idx[i])) {
                mirror(images, i * imageFloats, 3, r);
            }
            dataset.labels(idx[i], labels, i * dataset.numLabels());
        }
        return new Batch(
                Tensors.owned(manager, images, new Shape(idx.length, 3, r, r)),
                Tensors.owned(manager, labels, new Shape(idx.length, dataset.numLabels())));
    }

    /** Reverses every row of a (channels, r, r) image stored at {@code offset}. */
    static void mirror(float[] pixels, int offset, int channels, int r) {
        for (int row = 0; row < channels * r; row++) {
            int base = offset + row * r;
            for (int a = base, b = base + r - 1; a < b; a++, b--) {
                float t = pixels[a];
                pixels[a] = pixels[b];
                pixels[b] = t;
            }
        }
    }

    /** Adapts to a plain iterator of batches, each created in {@code manager}. */
    public Iterator<Batch> iterator(NDManager manager) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return BatchIterator.this.hasNext();
            }

            @Override
            public Batch next() {
                return BatchIterator.this.next(manager);
            }
        };
    }
}
