package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RunTagsTest {
    @Test
    void standardTagsNameConfigHashHostAndDevice() {
        Map<String, String> tags = RunTags.standard("abc123", "cpu");
        assertEquals("abc123", tags.get(RunTags.CONFIG_HASH));
        assertEquals("cpu", tags.get(RunTags.DEVICE));
        assertFalse(tags.get(RunTags.HOST).isBlank());
    }

    @Test
    void provenanceFieldsBecomePrefixedTags() {
        assertEquals(Map.of("cddpm.provenance.precision", "bf16"), RunTags.provenance(Map.of("precision", "bf16")));
    }
}
