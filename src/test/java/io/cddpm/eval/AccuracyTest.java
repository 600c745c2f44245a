package io.cddpm.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AccuracyTest {
    @Test
    void hitsArePooledOverAllTrueLabels() {
        float[][] out = {
            {0.9f, 0.1f, 0.8f, 0.0f}, // truth {0, 2}: top-2 = {0, 2} -> 2 hits
            {0.2f, 0.7f, 0.1f, 0.6f}, // truth {3}: top-1 = {1} -> 0 hits
            {0.5f, 0.4f, 0.3f, 0.9f}, // truth {0, 1, 3}: top-3 = {3, 0, 1} -> 3 hits
        };
        Accuracy.Result r = Accuracy.of(out, List.of(new int[] {0, 2}, new int[] {3}, new int[] {0, 1, 3}));
        assertEquals(5.0 / 6.0, r.accuracy(), 1e-12); // pooled: (2 + 0 + 3) / (2 + 1 + 3)
        assertEquals((1.0 + 0.0 + 1.0) / 3.0, r.meanImageAccuracy(), 1e-12); // not the same number
        assertEquals(2, r.images().get(0).hits());
    }

    @Test
    void tiesGoToTheLowerIndex() {
        assertArrayEquals(new int[] {1, 2}, Accuracy.topK(new float[] {0.1f, 0.5f, 0.5f, 0.5f}, 2));
        Accuracy.Result r = Accuracy.of(new float[][] {{0.5f, 0.5f, 0.5f}}, List.of(new int[] {2}));
        assertEquals(0.0, r.accuracy()); // top-1 of a three-way tie is label 0
        Accuracy.Result s = Accuracy.of(new float[][] {{0.5f, 0.5f, 0.5f}}, List.of(new int[] {0}));
        assertEquals(1.0, s.accuracy());
    }
}
