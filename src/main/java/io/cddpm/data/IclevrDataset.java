package io.cddpm.data;

import io.cddpm.core.InvalidInputException;
import io.cddpm.core.Limits;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A preprocessed dataset in memory: square RGB images as CHW bytes (0-255) and multi-hot labels.
 * {@link #image(int)} gives the float pixels in [-1, 1] the models use.
 */
public final class IclevrDataset {
    private final int resolution;
    private final int numLabels;
    private final byte[] pixels; // n * 3 * r * r
    private final byte[] labels; // n * numLabels (0/1)
    private final List<String> names;
    private String digest;

    public IclevrDataset(int resolution, int numLabels, byte[] pixels, byte[] labels, List<String> names) {
        this.resolution = resolution;
        this.numLabels = numLabels;
        this.pixels = pixels;
        this.labels = labels;
        this.names = List.copyOf(names);
        if (pixels.length != (long) names.size() * imageBytes() || labels.length != names.size() * numLabels) {
            throw new IllegalArgumentException("dataset arrays do not match " + names.size() + " images");
        }
    }

    /** SHA-256 of the exact pixels and labels (and the resolution): the fingerprint of what a model was trained on. */
    public synchronized String digest() {
        if (digest == null) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(ByteBuffer.allocate(8).putInt(resolution).putInt(numLabels).array());
                md.update(pixels);
                md.update(labels);
                digest = HexFormat.of().formatHex(md.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return digest;
    }

    /** The first n images (a view for tiny runs; shares nothing mutable). */
    public IclevrDataset first(int n) {
        if (n >= size()) {
            return this;
        }
        return new IclevrDataset(resolution, numLabels, Arrays.copyOf(pixels, n * imageBytes()),
                Arrays.copyOf(labels, n * numLabels), names.subList(0, n));
    }

    /** Several datasets of one resolution and vocabulary as one (a copy), in order. */
    public static IclevrDataset concat(List<IclevrDataset> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        IclevrDataset first = parts.get(0);
        Limits.datasetTooLarge(parts.stream().mapToLong(IclevrDataset::size).sum(), first.resolution).ifPresent(why -> {
            throw new InvalidInputException("the " + parts.size() + " datasets together: " + why);
        });
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        List<String> names = new ArrayList<>();
        for (IclevrDataset d : parts) {
            if (d.resolution != first.resolution || d.numLabels != first.numLabels) {
                throw new IllegalArgumentException("datasets differ in resolution or labels: " + d.resolution + "/" + d.numLabels
                        + " vs " + first.resolution + "/" + first.numLabels);
            }
            pixels.writeBytes(d.pixels);
            labels.writeBytes(d.labels);
            names.addAll(d.names);
        }
        return new IclevrDataset(first.resolution, first.numLabels, pixels.toByteArray(), labels.toByteArray(), names);
    }

    /** The images at {@code indices}, in that order (a copy). */
    public IclevrDataset subset(int[] indices) {
        int n = imageBytes();
        byte[] p = new byte[indices.length * n];
        byte[] l = new byte[indices.length * numLabels];
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * n, p, i * n, n);
            System.arraycopy(labels, indices[i] * numLabels, l, i * numLabels, numLabels);
            picked.add(names.get(indices[i]));
        }
        return new IclevrDataset(resolution, numLabels, p, l, picked);
    }

    /** The true label indices of every image, ascending within an image. */
    public List<int[]> labelIndices() {
        List<int[]> out = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            int count = 0;
            for (int k = 0; k < numLabels; k++) {
                count += labels[i * numLabels + k];
            }
            int[] idx = new int[count];
            int j = 0;
            for (int k = 0; k < numLabels; k++) {
                if (labels[i * numLabels + k] != 0) {
                    idx[j++] = k;
                }
            }
            out.add(idx);
        }
        return out;
    }

    public int size() {
        return names.size();
    }

    public int resolution() {
        return resolution;
    }

    public int numLabels() {
        return numLabels;
    }

    public String name(int i) {
        return names.get(i);
    }

    public int imageBytes() {
        return 3 * resolution * resolution;
    }

    /** Raw storage (shared, do not modify): n * 3 * r * r bytes. */
    byte[] pixelBytes() {
        return pixels;
    }

    byte[] labelBytes() {
        return labels;
    }

    List<String> names() {
        return names;
    }

    /** Writes image i as floats in [-1, 1] (CHW) into {@code out} at {@code offset}. */
    public void image(int i, float[] out, int offset) {
        int n = imageBytes();
        int base = i * n;
        for (int k = 0; k < n; k++) {
            out[offset + k] = (pixels[base + k] & 0xff) / 127.5f - 1f;
        }
    }

    public float[] image(int i) {
        float[] out = new float[imageBytes()];
        image(i, out, 0);
        return out;
    }

    /** Writes the multi-hot labels of image i into {@code out} at {@code offset}. */
    public void labels(int i, float[] out, int offset) {
        for (int k = 0; k < numLabels; k++) {
            out[offset + k] = labels[i * numLabels + k];
        }
    }

    public float[] labels(int i) {
        float[] out = new float[numLabels];
        labels(i, out, 0);
        return out;
    }
}
