package io.cddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** YAML anchors and aliases in experiment files (issue 30, item 6): resolved as YAML does, bounded, undefined ones refused. */
class YamlAliasesTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path p = dir.resolve("a.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    private String refusal(String yaml, String... overrides) throws IOException {
        Path p = write(yaml);
        return assertThrows(InvalidInputException.class, () -> ConfigLoader.load(p, List.of(overrides))).getMessage();
    }

    private static JsonNode tree(String yaml) {
        return SourceTree.parse(yaml, ConfigMappers.YAML_FACTORY, new Locations("t.yaml"));
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
        }
    }

    @Test
    void aScalarAliasIsTheAnchoredValueWithItsType() throws IOException {
        ExperimentConfig c = ConfigLoader.load(write("""
                name: aliases
                training:
                  epochs: &e 2
                  checkpoint_every: 1
                  evaluate_every: *e
                """));
        assertEquals(2, c.training().epochs());
        assertEquals(2, c.training().evaluateEvery());
    }

    @Test
    void aCollectionAliasIsACopyOfTheAnchoredNode() throws IOException {
        ExperimentConfig c = ConfigLoader.load(write("""
                name: aliases
                dataset:
                  test_files: &files [test, singles]
                sweep:
                  dataset.test_files: [*files, [new_test]]
                """));
        assertEquals(List.of("test", "singles"), c.dataset().testFiles());
        assertEquals(List.of(List.of("test", "singles"), List.of("new_test")), c.sweep().get("dataset.test_files"));
        assertEquals(2, c.trials().size());
    }

    @Test
    void aliasesNestedInAnchoredNodesAreReplayedWhole() {
        // Jackson's YAMLAnchorReplayingParser (2.19) gives c: [[], []] here
        JsonNode t = tree("""
                a: &a [1, 2]
                b: &b [*a, *a]
                c: [*b, *b]
                """);
        assertEquals("[[[1,2],[1,2]],[[1,2],[1,2]]]", t.get("c").toString());
        assertEquals("[[1,2],[1,2]]", t.get("b").toString());
    }

    @Test
    void aCopiedMapperStillResolvesAliases() throws IOException {
        assertEquals("{\"a\":1,\"b\":1}", ConfigMappers.YAML_VALUE.copy().readTree("{a: &x 1, b: *x}").toString());
    }

    @Test
    void aReplayedNodeDoesNotRedefineTheAnchorsInsideIt() {
        JsonNode t = tree("""
                a: &a [&x 1]
                y: &x 2
                b: *a
                c: *x
                """);
        assertEquals("[1]", t.get("b").toString());
        assertEquals(2, t.get("c").intValue());
    }

    @Test
    void anUndefinedAliasIsRefusedNamingFileLineAndAlias() throws IOException {
        String m = refusal("""
                name: aliases
                dataset:
                  test_files: [*x]
                """);
        assertContains(m, "a.yaml:3", "undefined alias *x");
    }

    @Test
    void anAliasInsideItsOwnAnchorIsRefused() throws IOException {
        String m = refusal("""
                name: aliases
                dataset:
                  test_files: &x [test, *x]
                """);
        assertContains(m, "a.yaml:3", "alias *x is inside the node anchored &x");
    }

    @Test
    void anAliasBombIsRefusedAfterBoundedWork() {
        // 9 levels of 10 aliases each would expand to 10^9 values
        StringBuilder yaml = new StringBuilder("name: bomb\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level < 10; level++) {
            yaml.append("l").append(level).append(": &l").append(level).append(" [");
            for (int i = 0; i < 10; i++) {
                yaml.append(i > 0 ? ", " : "").append("*l").append(level - 1);
            }
            yaml.append("]\n");
        }
        String m = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(InvalidInputException.class,
                () -> ConfigLoader.load(write(yaml.toString()))).getMessage());
        assertContains(m, "a.yaml:", "expand to more than " + AliasResolvingParser.MAX_ALIASED_NODES, "alias bomb");
    }

    @Test
    void anAliasInASetValueIsNotReadAsItsName() throws IOException {
        String m = refusal("name: aliases\n", "training.epochs=*e");
        assertContains(m, "--set training.epochs=*e", "expected an integer, got '*e'");
    }

    @Test
    void aMergeKeyIsRefusedByName() throws IOException {
        String m = refusal("""
                name: aliases
                base: &base {epochs: 2}
                training:
                  <<: *base
                """);
        assertContains(m, "a.yaml:4", "training.<<", "merge keys (<<) are not supported");
    }
}
