package io.cddpm.core;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

/**
 * A progress bar's form for output that is not a terminal (a log file, a pipe, {@code make demo >
 * log}): instead of a bar redrawn in place, which a file collects as one endless line, a plain line
 * at most every {@link #EVERY}, e.g. {@code epoch 3/75: 45/120 batch (38%), 3.2 batch/s, elapsed
 * 0:00:14, ETA 0:00:23 | loss 0.1234}. The first line comes after {@link #EVERY}, so short tasks
 * print nothing; once a task has printed, its end prints a last line. A task that stops advancing
 * keeps printing, with how long it has not moved, so a stall shows in the log.
 *
 * <p>The progress bar library renders ({@link #renderer}) and hands each rendering to the consumer
 * ({@link #consumer}) every {@link #TICK}; the consumer decides, by its clock, which to print.
 */
public final class ProgressLine {
    /** The longest time between two lines. */
    public static final Duration EVERY = Duration.ofSeconds(30);
    /** How often the bar's thread renders; a line is printed on the last tick before {@link #EVERY} has passed. */
    public static final Duration TICK = Duration.ofSeconds(1);

    private ProgressLine() {}

    /**
     * One line: task, done/total and unit, percent, rate, elapsed and ETA, how long no progress was made
     * when that is at least {@link #EVERY}, and the task's message.
     */
    public static String format(String task, long done, long total, String unit, Duration elapsed, Duration stalled, String message) {
        StringBuilder s = new StringBuilder(task).append(": ").append(done);
        if (total > 0) {
            s.append('/').append(total);
        }
        s.append(' ').append(unit);
        if (total > 0) {
            s.append(String.format(Locale.ROOT, " (%d%%)", Math.round(100.0 * done / total)));
        }
        double seconds = elapsed.toMillis() / 1000.0;
        double rate = seconds > 0 ? done / seconds : 0;
        s.append(", ").append(rate > 0 ? String.format(Locale.ROOT, rate >= 10 ? "%.0f %s/s" : "%.2f %s/s", rate, unit)
                : "rate unknown yet");
        s.append(", elapsed ").append(clock(elapsed));
        if (total > 0 && rate > 0 && done < total) {
            s.append(", ETA ").append(clock(Duration.ofMillis(Math.round((total - done) / rate * 1000))));
        }
        if (stalled.compareTo(EVERY) >= 0) {
            s.append(", no progress for ").append(clock(stalled));
        }
        if (message != null && !message.isBlank()) {
            s.append(" |").append(message.startsWith(" ") ? message : " " + message);
        }
        return s.toString();
    }

    /** H:MM:SS, to the nearest second. */
    public static String clock(Duration d) {
        long s = Math.max(0, Math.round(d.toMillis() / 1000.0));
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    /** Renders a bar's state as a {@link #format} line; remembers when the count last moved, by {@code nanos}. */
    static ProgressBarRenderer renderer(String unit, LongSupplier nanos) {
        return new ProgressBarRenderer() {
            private long lastCount = -1;
            private long lastMove = nanos.getAsLong();

            @Override
            public synchronized String render(ProgressState state, int maxLength) {
                long now = nanos.getAsLong();
                long done = state.getCurrent();
                if (done != lastCount) {
                    lastCount = done;
                    lastMove = now;
                }
                return format(state.getTaskName(), done, state.isIndefinite() ? 0 : state.getMax(), unit.trim(),
                        state.getElapsedAfterStart(), Duration.ofNanos(now - lastMove), state.getExtraMessage());
            }
        };
    }

    /**
     * Prints the renderings it is given as lines, at most one per {@link #EVERY} (on the last tick
     * before it passes, by {@code nanos}), and on close the last one if it printed any.
     */
    static ProgressBarConsumer consumer(PrintStream out, LongSupplier nanos) {
        return new Consumer(out, nanos);
    }

    /** The line printer of {@link #consumer}. */
    static final class Consumer implements ProgressBarConsumer {
        private final PrintStream out;
        private final LongSupplier nanos;
        private long lastPrinted;
        private String latest;
        private String printed;

        Consumer(PrintStream out, LongSupplier nanos) {
            this.out = out;
            this.nanos = nanos;
            this.lastPrinted = nanos.getAsLong();
        }

        @Override
        public int getMaxRenderedLength() {
            return Integer.MAX_VALUE;
        }

        @Override
        public synchronized void accept(String rendered) {
            latest = rendered;
            long now = nanos.getAsLong();
            if (now - lastPrinted + TICK.toNanos() >= EVERY.toNanos()) {
                print(rendered, now);
            }
        }

        @Override
        public synchronized void close() {
            if (printed != null && latest != null && !latest.equals(printed)) {
                print(latest, nanos.getAsLong());
            }
        }

        private void print(String line, long now) {
            out.println(line);
            out.flush();
            printed = line;
            lastPrinted = now;
        }
    }
}
