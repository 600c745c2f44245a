package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RunTagsTest {
    @Test
    void standardTagsNameConfigHashHostAndDevice() {
        Map<String, String> tags = RunTags.standard("abc123", "cpu");
        assertEquals(System.getProperty("user.name"), tags.get("mlflow.user"), "the UI's Created by");
        assertTrue(tags.get("mlflow.source.name").startsWith("cddpm "), "the UI's Source");
        assertEquals("abc123", tags.get(RunTags.CONFIG_HASH));
        assertEquals("cpu", tags.get(RunTags.DEVICE));
        assertFalse(tags.get(RunTags.HOST).isBlank());
    }

    @Test
    void trialsGetDistinctColoursApartFromTheParentsAndTheShowcases() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 9; i++) {
            String c = RunTags.trialColor(i);
            assertTrue(c.matches("#[0-9a-f]{6}"), c);
            assertTrue(seen.add(c), "trial " + i + " repeats " + c);
        }
        assertEquals(RunTags.trialColor(0), RunTags.trialColor(9), "the tenth trial starts the palette again");
        assertFalse(seen.contains(RunTags.PARENT_COLOR));
        assertFalse(seen.contains(RunTags.SHOWCASE_COLOR));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> RunTags.trialColor(-1));
    }

    @Test
    void provenanceFieldsBecomePrefixedTags() {
        assertEquals(Map.of("cddpm.provenance.precision", "bf16"), RunTags.provenance(Map.of("precision", "bf16")));
    }
}
