package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void helpExitsZeroAndUnknownCommandExitsTwo() {
        assertEquals(ExitCodes.OK, Main.run("--help"));
        assertEquals(ExitCodes.BAD_INPUT, Main.run("no-such-command"));
        assertEquals(ExitCodes.BAD_INPUT, Main.run());
    }
}
