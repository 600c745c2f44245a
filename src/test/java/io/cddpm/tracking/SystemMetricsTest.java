package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sample from /proc has MLflow's system-metric names and plausible values. */
class SystemMetricsTest {
    @Test
    void sampleUsesMlflowNames() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "Linux only");
        SystemMetrics m = SystemMetrics.start(null, null, 0);
        long spin = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < spin) {
            Math.sqrt(spin); // some CPU time between the two readings
        }
        Map<String, Double> s = m.sample();
        double cpu = s.get("system/cpu_utilization_percentage");
        assertTrue(cpu >= 0 && cpu <= 100, s.toString());
        assertTrue(s.get("system/system_memory_usage_megabytes") > 0, s.toString());
        double pct = s.get("system/system_memory_usage_percentage");
        assertTrue(pct > 0 && pct <= 100, s.toString());
        assertTrue(s.get("system/process_memory_rss_megabytes") > 10, "a JVM holds more than 10 MB: " + s);
        s.keySet().forEach(k -> assertTrue(k.startsWith(SystemMetrics.PREFIX), k));
        m.close();
    }

    /** A resumed run goes on counting: its samples continue after the steps its earlier processes logged. */
    @Test
    void aResumedRunContinuesTheStepsOfItsEarlierSamples() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/meminfo")), "Linux only");
        java.util.List<Long> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        Tracker tracker = (Tracker) java.lang.reflect.Proxy.newProxyInstance(Tracker.class.getClassLoader(), new Class<?>[] {Tracker.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "lastProgressStep" -> 4L;
                    case "logProgress" -> {
                        steps.add((Long) args[2]);
                        yield null;
                    }
                    case "pendingCount" -> 0;
                    default -> null;
                });
        try (SystemMetrics m = SystemMetrics.start(tracker, new RunHandle("k", "e", "r"), 1)) {
            long until = System.nanoTime() + 10_000_000_000L;
            while (steps.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(50);
            }
        }
        assertTrue(!steps.isEmpty() && steps.get(0) == 5L, "the first sample after steps 0-4 is step 5: " + steps);
    }
}
