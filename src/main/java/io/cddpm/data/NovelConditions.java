package io.cddpm.data;

import io.cddpm.core.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Label sets a model has never been asked for: every valid set (1 to {@link Labels#MAX_OBJECTS}
 * distinct labels) that appears in none of the given specifications, of which N are drawn at random
 * (seeded). Scoring a model on them shows whether it composes objects or memorised the training sets.
 */
public final class NovelConditions {
    private NovelConditions() {}

    /** All valid sets of labels (as sorted index arrays) that are not among the excluded ones, in a fixed order. */
    static List<int[]> unseen(int numLabels, Collection<int[]> excluded) {
        Set<String> seen = new HashSet<>();
        for (int[] e : excluded) {
            seen.add(key(e));
        }
        List<int[]> out = new ArrayList<>();
        for (int a = 0; a < numLabels; a++) {
            add(out, seen, new int[] {a});
            for (int b = a + 1; b < numLabels; b++) {
                add(out, seen, new int[] {a, b});
                for (int c = b + 1; c < numLabels; c++) {
                    add(out, seen, new int[] {a, b, c});
                }
            }
        }
        return out;
    }

    private static void add(List<int[]> out, Set<String> seen, int[] set) {
        if (!seen.contains(key(set))) {
            out.add(set);
        }
    }

    private static String key(int[] set) {
        int[] s = set.clone();
        Arrays.sort(s);
        return Arrays.toString(s);
    }

    /** N distinct unseen sets drawn with the seed, each as its label names (objects in random order). */
    public static List<List<String>> draw(Labels labels, Collection<int[]> excluded, int count, long seed) {
        List<int[]> pool = new ArrayList<>(unseen(labels.size(), excluded));
        if (count <= 0 || count > pool.size()) {
            throw new InvalidInputException("--count " + count + ": between 1 and " + pool.size()
                    + " (the label sets of up to " + Labels.MAX_OBJECTS + " objects that the excluded files do not contain)");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(pool.size() - i);
            int[] chosen = pool.get(j);
            pool.set(j, pool.get(i));
            pool.set(i, chosen);
            int[] order = chosen.clone();
            for (int k = order.length - 1; k > 0; k--) {
                int m = random.nextInt(k + 1);
                int t = order[k];
                order[k] = order[m];
                order[m] = t;
            }
            List<String> names = new ArrayList<>();
            for (int index : order) {
                names.add(labels.name(index));
            }
            out.add(names);
        }
        return out;
    }
}
