package io.cddpm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git commit lookup, with the environment given explicitly so both branches run whatever the CI sets. */
class BuildInfoTest {
    @Test
    void theEnvironmentWinsOverGit(@TempDir Path dir) {
        assertEquals(Optional.of("0123abcd"), BuildInfo.gitCommit(Map.of(BuildInfo.GIT_COMMIT_ENV, " 0123abcd\n"), dir));
    }

    @Test
    void noCommitOutsideAWorkTree(@TempDir Path dir) {
        assertTrue(BuildInfo.gitCommit(Map.of(), dir).isEmpty());
    }

    @Test
    void theCommitOfAWorkTree(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        for (String[] cmd : new String[][] {{"git", "init", "-q"}, {"git", "add", "f"},
                {"git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"}}) {
            assertEquals(0, new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start().waitFor());
        }
        Process head = new ProcessBuilder("git", "rev-parse", "HEAD").directory(dir.toFile()).start();
        String expected = new String(head.getInputStream().readAllBytes()).trim();
        assertEquals(Optional.of(expected), BuildInfo.gitCommit(Map.of(), dir));
    }
}
