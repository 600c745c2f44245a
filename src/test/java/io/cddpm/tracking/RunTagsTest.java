package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunTagsTest {
    @Test
    void standardTagsNameConfigHashHostAndDevice() {
        Map<String, String> tags = RunTags.standard("abc123", "cpu");
        assertEquals("abc123", tags.get(RunTags.CONFIG_HASH));
        assertEquals("cpu", tags.get(RunTags.DEVICE));
        assertFalse(tags.get(RunTags.HOST).isBlank());
    }

    @Test
    void noGitCommitOutsideAWorkTree(@TempDir Path dir) {
        if (System.getenv(RunTags.GIT_COMMIT_ENV) == null) {
            assertTrue(RunTags.gitCommit(dir).isEmpty());
        }
    }
}
