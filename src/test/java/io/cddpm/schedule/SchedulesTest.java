package io.cddpm.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.core.InvalidInputException;
import io.cddpm.state.QueuedTrial;
import io.cddpm.state.StateDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;

/** Quartz schedules in the H2 state database: persistence, pause/resume/remove, errors, firing without overlap. */
class SchedulesTest {
    private static StateDatabase state(Path dir) {
        return StateDatabase.open(dir.resolve("state"));
    }

    private static Path yaml(Path dir, String name, String schedule) throws Exception {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, "name: " + name + "\n" + schedule);
        return f;
    }

    @Test
    void schedulesSurviveARestartAndCanBePausedResumedRemoved(@TempDir Path dir) throws Exception {
        Path f = yaml(dir, "nightly", "schedule: { sweep_cron: \"0 0 2 * * ?\", reeval_cron: \"0 30 6 ? * MON\" }\n");
        ExperimentConfig c = ConfigLoader.load(f, List.of());
        try (StateDatabase state = state(dir); Schedules s = Schedules.open(state)) {
            List<ScheduledEntry> added = s.add(f, List.of("training.epochs=3"), c);
            assertEquals(2, added.size());
            assertEquals(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW, s.trigger("nightly", JobKind.SWEEP).getMisfireInstruction());
        }
        try (StateDatabase state = state(dir); Schedules s = Schedules.open(state)) { // a new scheduler on the same database
            List<ScheduledEntry> entries = s.list();
            assertEquals(2, entries.size(), entries.toString());
            assertEquals(JobKind.SWEEP, entries.get(0).kind());
            assertEquals("0 0 2 * * ?", entries.get(0).cron());
            assertEquals(f.toAbsolutePath().normalize().toString(), entries.get(0).yaml());
            assertTrue(entries.get(0).next() != null);
            s.pause("nightly", JobKind.REEVAL);
            assertEquals(List.of("NORMAL", "PAUSED"), s.list().stream().map(ScheduledEntry::state).toList());
            s.resume("nightly", null);
            assertEquals(List.of("NORMAL", "NORMAL"), s.list().stream().map(ScheduledEntry::state).toList());
            InvalidInputException unknown = assertThrows(InvalidInputException.class, () -> s.pause("nightlyy", null));
            assertTrue(unknown.getMessage().contains("nightly/sweep"), unknown.getMessage());
            assertEquals(1, s.remove("nightly", JobKind.SWEEP));
            assertEquals(1, s.list().size());
            assertEquals(1, s.remove("nightly", null));
            assertTrue(s.list().isEmpty());
        }
    }

    @Test
    void aFileWithoutCronsIsNamed(@TempDir Path dir) throws Exception {
        Path f = yaml(dir, "plain", "");
        try (StateDatabase state = state(dir); Schedules s = Schedules.open(state)) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.add(f, List.of(), ConfigLoader.load(f, List.of())));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("schedule.sweep_cron"), e.getMessage());
        }
        Path bad = yaml(dir, "bad", "schedule: { sweep_cron: \"every night\" }\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigLoader.load(bad, List.of()));
        assertTrue(e.getMessage().contains("sweep_cron"), e.getMessage());
    }

    /** What the launcher saw on one call, recorded on Quartz's worker thread and checked on the test thread. */
    private record Fire(String kind, Path yaml, List<String> overrides, int running) {}

    private static void assertSweep(Path f, Fire fire, int n) {
        assertEquals("sweep", fire.kind(), "fire " + n + " started the wrong job: " + fire);
        assertEquals(f.toAbsolutePath().normalize(), fire.yaml(), "fire " + n + ": the YAML path");
        assertEquals(List.of("training.epochs=1"), fire.overrides(), "fire " + n + ": the overrides");
        assertEquals(1, fire.running(), "fire " + n + ": a sweep job ran concurrently with itself");
    }

    @Test
    void jobsFireThroughTheLauncherAndNeverOverlap(@TempDir Path dir) throws Exception {
        Path f = yaml(dir, "busy", "schedule: { sweep_cron: \"* * * * * ?\" }\n");
        // The launcher runs on Quartz's worker thread, where a thrown AssertionError is only logged: it
        // records each call, and the test thread asserts on the records, so a wrong value fails at once.
        AtomicInteger running = new AtomicInteger();
        BlockingQueue<Fire> fires = new LinkedBlockingQueue<>();
        try (StateDatabase state = state(dir); Schedules s = Schedules.open(state)) {
            s.add(f, List.of("training.epochs=1"), ConfigLoader.load(f, List.of()));
            s.start(new Launcher() {
                @Override
                public void sweep(Path yaml, List<String> overrides) throws Exception {
                    fires.add(new Fire("sweep", yaml, overrides, running.incrementAndGet()));
                    try {
                        Thread.sleep(2500); // longer than the 1 s between fires
                    } finally {
                        running.decrementAndGet();
                    }
                }

                @Override
                public void reevaluate(Path yaml, List<String> overrides) {
                    fires.add(new Fire("reevaluate", yaml, overrides, 0));
                }

                @Override
                public TrialOutcome trial(QueuedTrial trial, boolean recovering) {
                    fires.add(new Fire("trial " + trial, null, List.of(), 0));
                    return TrialOutcome.ENDED;
                }
            });
            for (int n = 1; n <= 2; n++) {
                Fire fire = fires.poll(30, TimeUnit.SECONDS);
                assertNotNull(fire, "the sweep job fired " + (n - 1) + " time(s) in 30 s, not twice");
                assertSweep(f, fire, n);
            }
            s.shutdown(true);
        }
        // a fire that slipped in before the shutdown must be the same sweep, alone
        for (Fire fire : fires) {
            assertSweep(f, fire, 3);
        }
    }
}
