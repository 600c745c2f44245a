package io.cddpm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every experiment file the project ships must load and validate. */
class ShippedExperimentsTest {
    @Test
    void everyShippedExperimentValidates() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("experiments"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            ExperimentConfig c = ConfigLoader.load(f);
            assertFalse(c.trials().isEmpty(), f.toString());
        }
        assertEquals(4, ConfigLoader.load(Path.of("experiments/ablation.yaml")).trials().size());
        assertEquals(ModelPreset.LAB64, ConfigLoader.load(Path.of("experiments/lab64.yaml")).model().preset());
    }
}
