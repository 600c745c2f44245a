package io.cddpm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * Issue 31, item 5: help text wraps cleanly. No line is wider than the help, no word is broken
 * ("images.\nnpz", "tracking.\nuri" came from picocli's BreakIterator breaking after a period), and
 * footers fill their lines instead of keeping the line breaks of their source.
 */
class HelpWrapTest {
    private static void collect(CommandLine cl, String path, List<String> problems) {
        CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
        int width = spec.usageMessage().width();
        String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
        String where = "cddpm" + path;
        for (String line : usage.split("\\R")) {
            if (line.length() > width) {
                problems.add(where + ": line of " + line.length() + " > " + width + ": " + line);
            }
        }
        Set<String> rendered = new HashSet<>(Arrays.asList(usage.split("\\s+")));
        List<String> written = new ArrayList<>();
        written.addAll(Arrays.asList(spec.usageMessage().description()));
        written.addAll(Arrays.asList(spec.usageMessage().footer()));
        for (ArgSpec arg : spec.args()) {
            written.addAll(Arrays.asList(arg.description()));
        }
        cl.getSubcommands().forEach((name, sub) -> written.addAll(Arrays.asList(sub.getCommandSpec().usageMessage().description())));
        for (String text : written) {
            for (String word : text.split("\\s+")) {
                if (!word.isEmpty() && !word.contains("${") && !word.contains("%") && !rendered.contains(word)) {
                    problems.add(where + ": the word '" + word + "' is broken or missing in the help");
                }
            }
        }
        String[] footer = new WrappingHelp(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF)).footer().split("\\R");
        for (int i = 0; i + 1 < footer.length; i++) {
            String next = footer[i + 1].strip();
            if (!footer[i].isBlank() && !next.isEmpty() && footer[i].length() + 1 + next.split(" ")[0].length() <= width) {
                problems.add(where + ": footer line " + i + " ends early ('" + footer[i] + "' could take '" + next.split(" ")[0] + "')");
            }
        }
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                collect(sub, path + " " + name, problems);
            }
        });
    }

    @Test
    void everyCommandsHelpWrapsAtSpacesWithinItsWidth() {
        List<String> problems = new ArrayList<>();
        collect(ExitCodes.commandLine(new CddpmCommand()), "", problems);
        assertEquals(List.of(), problems);
    }

    @Test
    void wordsWithPeriodsStayWhole() {
        CommandLine cl = ExitCodes.commandLine(new CddpmCommand());
        String main = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(main.contains("images.npz"), main);
        String run = cl.getSubcommands().get("run").getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(run.contains("tracking.uri"), run);
    }

    @Test
    void linesFillWordByWord() {
        List<int[]> lines = WrappingHelp.SpaceWrappingTable.lines("aa bb.cc dd  ee", 8, 5);
        assertEquals(List.of("aa bb.cc", "dd", "ee"), lines.stream().map(l -> "aa bb.cc dd  ee".substring(l[0], l[1])).toList());
        List<int[]> long1 = WrappingHelp.SpaceWrappingTable.lines("averyveryverylongword x", 5, 5);
        assertEquals(List.of("averyveryverylongword", "x"), long1.stream().map(l -> "averyveryverylongword x".substring(l[0], l[1])).toList());
    }
}
