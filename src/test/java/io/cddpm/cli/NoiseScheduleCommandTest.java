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
    void theShiftForAResolutionMovesEveryLogSnrBy2LogBaseOverResolution(@TempDir Path dir) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode plain = mapper.readTree(stdout(() -> assertEquals(0, Main.run("noise-schedule", "--beta-schedule", "squaredcos_cap_v2",
                "--json"))));
        JsonNode shifted = mapper.readTree(stdout(() -> assertEquals(0, Main.run("noise-schedule", "--beta-schedule", "squaredcos_cap_v2",
                "--resolution", "64", "--snr-shift-resolution", "32", "--json"))));
        double shift = 2 * Math.log(32.0 / 64.0);
        assertEquals(shift, shifted.get("log_snr_shift").asDouble(), 1e-12);
        assertTrue(plain.get("log_snr_shift") == null, "no shift asked, none stated");
        for (int t : new int[] {0, 250, 500, 750, 990}) {
            double a = plain.get("alphas_cumprod").get(t).asDouble();
            double b = shifted.get("alphas_cumprod").get(t).asDouble();
            double logSnr = Math.log(a / (1 - a));
            assertEquals(logSnr + shift, Math.log(b / (1 - b)), 1e-3, "t = " + t);
        }
        Path png = dir.resolve("shifted.png");
        String said = stdout(() -> assertEquals(0, Main.run("noise-schedule", "--resolution", "64", "--snr-shift-resolution", "32",
                "--out", png.toString())));
        assertTrue(said.contains("2 log(32/64) = -1.386"), said);
        assertTrue(Files.size(png) > 10_000);
        assertEquals(2, Main.run("noise-schedule", "--resolution", "64", "--json"), "a resolution without a base shifts nothing");
        assertEquals(2, Main.run("noise-schedule", "--snr-shift-resolution", "32", "--json"));
        assertEquals(2, Main.run("noise-schedule", "--resolution", "0", "--snr-shift-resolution", "32", "--json"));
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
