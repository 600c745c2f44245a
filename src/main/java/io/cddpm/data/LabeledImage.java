package io.cddpm.data;

import java.util.List;

/** One entry of a train.json-style specification: an image file name and its labels (validated indices). */
public record LabeledImage(String fileName, List<String> labels, int[] indices) {
    public LabeledImage {
        labels = List.copyOf(labels);
        indices = indices.clone();
    }
}
