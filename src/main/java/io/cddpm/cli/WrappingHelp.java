package io.cddpm.cli;

import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * picocli's usage help, wrapped at spaces only. picocli wraps text with {@link java.text.BreakIterator},
 * which breaks after a period inside a word, so that help came out as "images.\nnpz" and
 * "tracking.\nuri"; here every description, option and command list breaks lines at spaces alone. A
 * command's description and footer are read as paragraphs, their lines joined by a space (an empty line
 * starts a new paragraph) and wrapped to the help's width, so text written across several source lines
 * does not come out ragged.
 */
final class WrappingHelp extends Help {
    WrappingHelp(CommandSpec spec, ColorScheme scheme) {
        super(spec, scheme);
    }

    @Override
    public String description(Object... params) {
        return paragraphs(commandSpec().usageMessage().description(), params);
    }

    @Override
    public String header(Object... params) {
        return paragraphs(commandSpec().usageMessage().header(), params);
    }

    @Override
    public String footer(Object... params) {
        return paragraphs(commandSpec().usageMessage().footer(), params);
    }

    /** picocli's command list (name, then the first line of the header or description), wrapped at spaces. */
    @Override
    public String commandList(Map<String, Help> subcommands) {
        if (subcommands.isEmpty()) {
            return "";
        }
        int names = Math.min(subcommands.keySet().stream().mapToInt(String::length).max().orElse(0), width() / 2);
        TextTable table = new SpaceWrappingTable(colorScheme(), new Column(names + 2, 2, Column.Overflow.SPAN),
                new Column(width() - (names + 2), 2, Column.Overflow.WRAP));
        for (Help help : subcommands.values()) {
            UsageMessageSpec usage = help.commandSpec().usageMessage();
            String first = usage.header().length > 0 ? usage.header()[0] : usage.description().length > 0 ? usage.description()[0] : "";
            Ansi.Text[] lines = colorScheme().text(format(first)).splitLines();
            for (int i = 0; i < lines.length; i++) {
                table.addRowValues(i == 0 ? help.commandNamesText(", ") : colorScheme().text(""), lines[i]);
            }
        }
        return table.toString();
    }

    /** picocli's option and parameter layout, wrapped at spaces, with each description as one paragraph. */
    @Override
    public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme scheme) {
        TextTable columns = TextTable.forDefaultColumns(scheme, calcLongOptionColumnWidth(options, positionals, scheme), width());
        SpaceWrappingTable table = new SpaceWrappingTable(scheme, columns.columns());
        table.indentWrappedLines = columns.indentWrappedLines;
        IOptionRenderer optionRenderer = createDefaultOptionRenderer();
        IParameterRenderer parameterRenderer = createDefaultParameterRenderer();
        return new Layout(scheme, table, (option, labels, colors) -> oneParagraph(optionRenderer.render(option, labels, colors)),
                (parameter, labels, colors) -> oneParagraph(parameterRenderer.render(parameter, labels, colors)));
    }

    /**
     * An option's rows as picocli renders them (names, then one row per description line) with the
     * description lines joined into the first row's, to be wrapped as one paragraph.
     */
    private static Ansi.Text[][] oneParagraph(Ansi.Text[][] rows) {
        List<Ansi.Text[]> out = new ArrayList<>();
        for (Ansi.Text[] row : rows) {
            boolean continuation = !out.isEmpty();
            for (int i = 0; i < row.length - 1 && continuation; i++) {
                continuation = row[i].plainString().isBlank();
            }
            if (continuation) {
                Ansi.Text[] previous = out.get(out.size() - 1);
                previous[row.length - 1] = previous[row.length - 1].concat(" ").concat(row[row.length - 1]);
            } else {
                out.add(row.clone());
            }
        }
        return out.toArray(Ansi.Text[][]::new);
    }

    private int width() {
        return commandSpec().usageMessage().width();
    }

    /** The lines as paragraphs (joined by spaces; an empty line ends one) wrapped to the help's width. */
    private String paragraphs(String[] lines, Object... params) {
        List<String> paragraphs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String text = format(line, params).strip();
            if (text.isEmpty()) {
                paragraphs.add(current.toString());
                current.setLength(0);
            } else {
                current.append(current.length() == 0 ? "" : " ").append(text);
            }
        }
        if (current.length() > 0) {
            paragraphs.add(current.toString());
        }
        TextTable table = new SpaceWrappingTable(colorScheme(), new Column(width(), 0, Column.Overflow.WRAP));
        table.indentWrappedLines = 0;
        for (String p : paragraphs) {
            table.addRowValues(p.isEmpty() ? colorScheme().text("") : colorScheme().text(p));
        }
        return table.toString();
    }

    /** As picocli formats help text: String.format with the parameters, or the text as it is when it is no format. */
    private static String format(String text, Object... params) {
        try {
            return text == null ? "" : String.format(text, params);
        } catch (IllegalFormatException notAFormat) {
            return text;
        }
    }

    /** A text table whose wrapping columns break lines at spaces only. */
    static final class SpaceWrappingTable extends TextTable {
        SpaceWrappingTable(ColorScheme scheme, Column... columns) {
            super(scheme, columns);
        }

        /** A value wider than its column is cut into lines at spaces first, each then fitting its row. */
        @Override
        public Cell putValue(int row, int col, Ansi.Text value) {
            Column column = columns()[col];
            if (value == null || column.overflow != Column.Overflow.WRAP) {
                return super.putValue(row, col, value);
            }
            int first = column.width - column.indent;
            List<int[]> lines = lines(value.plainString(), first, first - indentWrappedLines);
            Cell cell = super.putValue(row, col, value.substring(lines.get(0)[0], lines.get(0)[1]));
            Ansi.Text indent = value.substring(0, 0).concat(" ".repeat(indentWrappedLines));
            for (int i = 1; i < lines.size(); i++) {
                addEmptyRow();
                cell = super.putValue(rowCount() - 1, col, indent.concat(value.substring(lines.get(i)[0], lines.get(i)[1])));
            }
            return cell;
        }

        /**
         * Where the text's lines start and end when it is filled word by word (words split at spaces) into
         * lines of {@code first} and then {@code rest} characters; a word longer than a line gets one of its own.
         */
        static List<int[]> lines(String text, int first, int rest) {
            List<int[]> out = new ArrayList<>();
            int start = -1;
            int end = -1;
            int i = 0;
            while (i < text.length()) {
                while (i < text.length() && text.charAt(i) == ' ') {
                    i++;
                }
                int wordStart = i;
                while (i < text.length() && text.charAt(i) != ' ') {
                    i++;
                }
                if (wordStart == i) {
                    break;
                }
                int width = out.isEmpty() ? first : rest;
                if (start < 0) {
                    start = wordStart;
                } else if (i - start > width) {
                    out.add(new int[] {start, end});
                    start = wordStart;
                }
                end = i;
            }
            out.add(start < 0 ? new int[] {0, 0} : new int[] {start, end});
            return out;
        }
    }
}
