package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code cddpm --help} lists every command with one complete line: no description may stop mid-sentence. */
class HelpTextTest {
    private static final int MAX_LINE = 130;

    private static void collect(CommandLine cl, String path, List<String> problems) {
        String[] description = cl.getCommandSpec().usageMessage().description();
        String where = path.isEmpty() ? "cddpm" : "cddpm" + path;
        if (description.length != 1) {
            problems.add(where + ": " + description.length + " description lines");
        } else if (!description[0].endsWith(".") || description[0].length() > MAX_LINE || !Character.isUpperCase(description[0].charAt(0))) {
            problems.add(where + ": '" + description[0] + "' (" + description[0].length() + " chars)");
        }
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                collect(sub, path + " " + name, problems);
            }
        });
    }

    @Test
    void everyCommandHasOneCompleteLine() {
        List<String> problems = new ArrayList<>();
        collect(new CommandLine(new CddpmCommand()), "", problems);
        assertEquals(List.of(), problems);
    }
}
