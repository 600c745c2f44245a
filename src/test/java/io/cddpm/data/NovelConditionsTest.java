package io.cddpm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NovelConditionsTest {
    private static Set<List<Integer>> asSets(List<int[]> sets) {
        Set<List<Integer>> out = new HashSet<>();
        for (int[] s : sets) {
            int[] c = s.clone();
            Arrays.sort(c);
            out.add(Arrays.stream(c).boxed().toList());
        }
        return out;
    }

    @Test
    void everyValidSetOfUpToThreeLabelsIsCountedOnce() {
        // C(24,1) + C(24,2) + C(24,3)
        assertEquals(24 + 276 + 2024, NovelConditions.unseen(24, List.of()).size());
    }

    @Test
    void drawnSetsAreValidDistinctAndInNoExcludedFile() {
        Labels labels = Labels.builtin();
        List<int[]> excluded = new ArrayList<>();
        TrainSpec.builtin().entries().forEach(e -> excluded.add(e.indices()));
        excluded.addAll(ConditionFile.builtin("test", labels).indices());
        excluded.addAll(ConditionFile.builtin("new_test", labels).indices());
        Set<List<Integer>> seen = asSets(excluded);
        List<List<String>> drawn = NovelConditions.draw(labels, excluded, 48, 3);
        assertEquals(48, drawn.size());
        Set<List<Integer>> distinct = new HashSet<>();
        for (List<String> set : drawn) {
            int[] idx = labels.indices(set, "drawn");
            assertTrue(idx.length >= 1 && idx.length <= 3);
            assertEquals(idx.length, Arrays.stream(idx).distinct().count(), "no label twice: " + set);
            List<Integer> key = asSets(List.of(idx)).iterator().next();
            assertFalse(seen.contains(key), set + " is in train.json or a test file");
            assertTrue(distinct.add(key), set + " drawn twice");
        }
        assertEquals(drawn, NovelConditions.draw(labels, excluded, 48, 3), "same seed, same sets");
    }

    @Test
    void askingForMoreThanExistIsRefusedWithTheLimit() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NovelConditions.draw(Labels.builtin(), List.of(), 5000, 0));
        assertTrue(e.getMessage().contains("2324"), e.getMessage());
    }
}
