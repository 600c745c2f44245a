package io.cddpm.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long tasks on stderr (so stdout stays clean for data such as JSON): a bar redrawn in
 * place when stderr is a terminal, else a {@link ProgressLine} with rate and ETA at least every 30 s,
 * which reads well in a log file and shows a stall.
 */
public final class ProgressBars {
    private ProgressBars() {}

    public static ProgressBar of(String task, long total, String unit) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1);
        if (stderrIsTerminal()) {
            return builder.setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500)
                    .showSpeed()
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .build();
        }
        return builder.setUpdateIntervalMillis((int) ProgressLine.TICK.toMillis())
                .continuousUpdate() // a stalled task is rendered too, so its lines go on
                .setRenderer(ProgressLine.renderer(unit, System::nanoTime))
                .setConsumer(ProgressLine.consumer(System.err, System::nanoTime))
                .build();
    }

    /**
     * Whether stderr is a terminal: on Linux what file descriptor 2 points at (a pty or tty), elsewhere
     * whether the JVM has a console at all.
     */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }
}
