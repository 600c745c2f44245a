package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoiseScheduleCommandTest {
    private static String stdout(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true));
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString();
    }

    @Test
    void jsonHasTheScheduleAndDdimTimesteps() throws Exception {
        String out = stdout(() -> assertEquals(0, Main.run("noise-schedule", "--beta-schedule", "squaredcos_cap_v2",
                "--train-timesteps", "100", "--ddim-steps", "10", "--json")));
        JsonNode json = new ObjectMapper().readTree(out);
        assertEquals(100, json.get("betas").size());
        assertEquals(100, json.get("alphas_cumprod").size());
        assertEquals(90, json.get("ddim_timesteps").get(0).asInt());
        assertEquals(0, json.get("ddim_timesteps").get(9).asInt());
        assertTrue(json.get("alphas_cumprod").get(99).asDouble() < 1e-3);
    }

    @Test
    void plotIsWrittenAndBadValuesExitTwo(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("s.png");
        assertEquals(0, Main.run("noise-schedule", "--out", png.toString()));
        assertTrue(Files.size(png) > 10_000);
        assertEquals(2, Main.run("noise-schedule", "--beta-schedule", "cosine", "--json"));
        assertEquals(2, Main.run("noise-schedule", "--train-timesteps", "0", "--json"));
        assertEquals(2, Main.run("noise-schedule", "--beta-start", "0.5", "--beta-end", "0.1", "--json"));
        assertEquals(2, Main.run("noise-schedule", "--ddim-steps", "2000", "--json"));
    }
}
