package io.cddpm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBarConsumer;
import org.junit.jupiter.api.Test;

/** Issue 31, item 4: with output to a file, a long task prints a line with rate and ETA at least every 30 s. */
class ProgressLineTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ProgressBarConsumer consumer = ProgressLine.consumer(new PrintStream(bytes, true, StandardCharsets.UTF_8), nanos::get);

    /** The progress bar library's thread: one rendering per tick, for {@code seconds}; returns the seconds at which a line was printed. */
    private List<Integer> tick(int from, int seconds) {
        List<Integer> printedAt = new ArrayList<>();
        for (int s = from; s < from + seconds; s++) {
            nanos.set(1_000_000_000L + s * ProgressLine.TICK.toNanos());
            int before = lines().size();
            consumer.accept("rendered at " + s);
            if (lines().size() > before) {
                printedAt.add(s);
            }
        }
        return printedAt;
    }

    private List<String> lines() {
        String out = bytes.toString(StandardCharsets.UTF_8);
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    @Test
    void aLongTaskPrintsALineAtLeastEvery30Seconds() {
        List<Integer> at = tick(0, 200);
        assertTrue(at.size() >= 6, "lines at " + at);
        int previous = 0;
        for (int s : at) {
            assertTrue(s - previous <= 30, "a line at most 30 s after the last: " + at);
            assertTrue(s - previous >= 25, "and not much more often: " + at);
            previous = s;
        }
        assertTrue(200 - previous <= 30);
        consumer.close();
        assertEquals("rendered at 199", lines().get(lines().size() - 1), "the end of a task that printed is printed");
    }

    @Test
    void aShortTaskPrintsNothing() {
        assertEquals(List.of(), tick(0, 25));
        consumer.close();
        assertEquals(List.of(), lines(), "not even at its end");
    }

    @Test
    void theLineSaysDoneTotalRateElapsedEtaAndTheMessage() {
        String line = ProgressLine.format("epoch 3/75", 45, 120, "batch", Duration.ofSeconds(15), Duration.ZERO, " loss 0.1234");
        assertEquals("epoch 3/75: 45/120 batch (38%), 3.00 batch/s, elapsed 0:00:15, ETA 0:00:25 | loss 0.1234", line);
        String fast = ProgressLine.format("sampling 32 images", 600, 800, "step", Duration.ofSeconds(20), Duration.ZERO, null);
        assertEquals("sampling 32 images: 600/800 step (75%), 30 step/s, elapsed 0:00:20, ETA 0:00:07", fast);
        String start = ProgressLine.format("evaluator", 0, 500, "batch", Duration.ofSeconds(31), Duration.ofSeconds(31), "");
        assertEquals("evaluator: 0/500 batch (0%), rate unknown yet, elapsed 0:00:31, no progress for 0:00:31", start);
    }

    @Test
    void aStallKeepsPrintingAndSaysForHowLong() {
        String line = ProgressLine.format("epoch 7/17", 300, 704, "batch", Duration.ofMinutes(50), Duration.ofMinutes(40), " loss 0.0812");
        assertTrue(line.contains(", no progress for 0:40:00"), line);
        assertTrue(line.contains("ETA 1:07:20"), line);
        assertEquals("1:07:20", ProgressLine.clock(Duration.ofSeconds(4040)));
    }
}
