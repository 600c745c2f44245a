package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/** Joining batches along the first axis. */
public final class Batches {
    private Batches() {}

    public static NDArray concat(List<NDArray> parts) {
        return NDArrays.concat(new NDList(parts), 0);
    }
}
