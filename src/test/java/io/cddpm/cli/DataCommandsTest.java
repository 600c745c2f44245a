package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, points 1 and 9 through the command line: hostile specs and damaged images exit 2, named. */
class DataCommandsTest {
    @TempDir
    Path dir;

    @Test
    void synthRefusesASpecThatEscapesOut() throws IOException {
        Path out = dir.resolve("x").resolve("y").resolve("out");
        Path spec = Files.writeString(dir.resolve("hostile.json"), "{\"../../escape.png\": [\"red cube\"]}");
        Cli r = Cli.run("data", "synth", "--spec", spec.toString(), "--out", out.toString(), "--size", "16", "--threads", "1");
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("hostile.json") && r.err().contains("'../../escape.png'"), r.err());
        assertFalse(Files.exists(dir.resolve("x").resolve("escape.png")));

        Path victim = Files.writeString(dir.resolve("victim.png"), "precious");
        Path abs = Files.writeString(dir.resolve("abs.json"), "{\"" + victim + "\": [\"red cube\"]}");
        r = Cli.run("data", "synth", "--spec", abs.toString(), "--out", out.toString(), "--size", "16", "--threads", "1");
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertEquals("precious", Files.readString(victim));
    }

    @Test
    void checkRefusesEscapingNamesAndImageFolders() throws IOException {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("iclevr"));
        Files.writeString(root.resolve("train.json"), "{\"../../../etc/hostname\": [\"red cube\"]}");
        Cli r = Cli.run("data", "check", "--root", root.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("'../../../etc/hostname'") && r.err().contains("unsafe file name"), r.err());
        r = Cli.run("data", "check", "--root", root.toString(), "--images", "../..");
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("'../..'"), r.err());
    }

    @Test
    void checkRefusesEmptyAndTruncatedImagesByName() throws IOException {
        Path root = dir.resolve("ds");
        Cli r = Cli.run("data", "synth", "--out", root.toString(), "--size", "16", "--limit", "6", "--threads", "1");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertEquals(ExitCodes.OK, Cli.run("data", "check", "--root", root.toString()).exit());
        Path[] pngs;
        try (var files = Files.list(root.resolve("iclevr"))) {
            pngs = files.sorted().toArray(Path[]::new);
        }
        assertEquals(6, pngs.length, "only the images, no temporary files: " + Arrays.toString(pngs));

        Files.write(pngs[1], new byte[0]); // what an interrupted write used to leave
        r = Cli.run("data", "check", "--root", root.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains(pngs[1].getFileName().toString()), r.err());

        Cli.run("data", "synth", "--out", root.toString(), "--size", "16", "--limit", "6", "--threads", "1");
        byte[] whole = Files.readAllBytes(pngs[3]);
        Files.write(pngs[3], Arrays.copyOf(whole, whole.length / 2));
        r = Cli.run("data", "check", "--root", root.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains(pngs[3].getFileName().toString()), r.err());
    }
}
