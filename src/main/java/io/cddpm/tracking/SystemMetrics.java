package io.cddpm.tracking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the machine's load into a run while it trains, under the names MLflow's own system-metrics
 * monitor uses, so the run page's "System metrics" tab shows them: {@code system/cpu_utilization_percentage}
 * (all cores, averaged over the interval), {@code system/system_memory_usage_megabytes} and
 * {@code _percentage} (total minus available, MB = 10^6 bytes), {@code system/gpu_<i>_utilization_percentage},
 * {@code _memory_usage_megabytes} and {@code _memory_usage_percentage} when nvidia-smi answers, plus this
 * process's resident memory as {@code system/process_memory_rss_megabytes}. Read from /proc (Linux);
 * elsewhere only what can be read is logged. Steps count 0, 1, 2... like MLflow's monitor.
 */
public final class SystemMetrics implements AutoCloseable {
    public static final String PREFIX = "system/";
    private static final Logger LOG = LoggerFactory.getLogger(SystemMetrics.class);
    private static final Path STAT = Path.of("/proc/stat");
    /** The key whose last step says how many samples a run has: present in every sample. */
    private static final String STEP_KEY = PREFIX + "system_memory_usage_megabytes";
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path SELF_STATUS = Path.of("/proc/self/status");

    private final Tracker tracker;
    private final RunHandle run;
    private final ScheduledExecutorService timer;
    private long[] lastCpu;
    private long step;
    private boolean gpu = true;
    private long lastLogNanos = System.nanoTime();

    private SystemMetrics(Tracker tracker, RunHandle run, int intervalSeconds) {
        this.tracker = tracker;
        this.run = run;
        this.lastCpu = readCpu();
        // a resumed run goes on counting after the samples its earlier processes logged
        this.step = run == null ? 0 : tracker.lastProgressStep(run, STEP_KEY) + 1;
        if (intervalSeconds > 0 && run != null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cddpm-system-metrics");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::logOnce, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
        } else {
            timer = null;
        }
    }

    /** Starts logging into run every intervalSeconds (0 = never: a monitor that does nothing). */
    public static SystemMetrics start(Tracker tracker, RunHandle run, int intervalSeconds) {
        return new SystemMetrics(tracker, run, intervalSeconds);
    }

    private synchronized void logOnce() {
        try {
            Map<String, Double> values = sample();
            if (!values.isEmpty()) {
                tracker.logProgress(run, values, step++);
                tracker.flushProgress(); // seen in the UI while the run trains, not at the end of the epoch
            }
            lastLogNanos = System.nanoTime();
        } catch (RuntimeException e) {
            LOG.debug("system metrics: {}", e.toString());
        }
    }

    /** One sample now (CPU: the average since the previous sample), with the "system/" prefix. */
    synchronized Map<String, Double> sample() {
        Map<String, Double> out = new LinkedHashMap<>();
        long[] cpu = readCpu();
        if (cpu != null && lastCpu != null) {
            long total = cpu[0] - lastCpu[0];
            long idle = cpu[1] - lastCpu[1];
            if (total > 0) {
                out.put(PREFIX + "cpu_utilization_percentage", round(100.0 * (total - idle) / total));
            }
        }
        lastCpu = cpu;
        Map<String, Long> mem = meminfoKb(MEMINFO, "MemTotal", "MemAvailable");
        Long total = mem.get("MemTotal");
        Long available = mem.get("MemAvailable");
        if (total != null && available != null && total > 0) {
            out.put(PREFIX + "system_memory_usage_megabytes", round((total - available) * 1024 / 1e6));
            out.put(PREFIX + "system_memory_usage_percentage", round(100.0 * (total - available) / total));
        }
        Long rss = meminfoKb(SELF_STATUS, "VmRSS").get("VmRSS");
        if (rss != null) {
            out.put(PREFIX + "process_memory_rss_megabytes", round(rss * 1024 / 1e6));
        }
        if (gpu) {
            gpu = gpuMetrics(out);
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** {total jiffies, idle + iowait jiffies} of the "cpu" line, or null. */
    private static long[] readCpu() {
        try {
            for (String line : Files.readAllLines(STAT, StandardCharsets.US_ASCII)) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long total = 0;
                    for (int i = 1; i < f.length && i <= 8; i++) { // user..steal; guest is already in user
                        total += Long.parseLong(f[i]);
                    }
                    return new long[] {total, Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0)};
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return null;
    }

    /** "Key:   123 kB" lines of a /proc file, in kB. */
    static Map<String, Long> meminfoKb(Path file, String... keys) {
        Map<String, Long> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                for (String k : keys) {
                    if (line.startsWith(k + ":")) {
                        out.put(k, Long.parseLong(line.substring(k.length() + 1).trim().split("\\s+")[0]));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return out;
    }

    /** GPU utilization and memory from nvidia-smi; false when there is no nvidia-smi or no GPU (then it is not asked again). */
    private static boolean gpuMetrics(Map<String, Double> out) {
        List<String> lines = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,utilization.gpu,memory.used,memory.total",
                    "--format=csv,noheader,nounits").redirectErrorStream(true).start();
            try (var r = p.inputReader(StandardCharsets.UTF_8)) {
                r.lines().forEach(lines::add);
            }
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return false;
            }
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        boolean any = false;
        for (String line : lines) {
            String[] f = line.split(",\\s*");
            if (f.length < 4) {
                continue;
            }
            try {
                int i = Integer.parseInt(f[0].trim());
                double util = Double.parseDouble(f[1].trim());
                double usedMib = Double.parseDouble(f[2].trim());
                double totalMib = Double.parseDouble(f[3].trim());
                out.put(PREFIX + "gpu_" + i + "_utilization_percentage", util);
                out.put(PREFIX + "gpu_" + i + "_memory_usage_megabytes", round(usedMib * 1048576 / 1e6));
                if (totalMib > 0) {
                    out.put(PREFIX + "gpu_" + i + "_memory_usage_percentage", round(100 * usedMib / totalMib));
                }
                any = true;
            } catch (NumberFormatException e) {
                // "[N/A]" on some boards
            }
        }
        return any;
    }

    /** Stops; logs a last sample when at least a second passed since the previous one. */
    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (System.nanoTime() - lastLogNanos >= 1_000_000_000L) {
            logOnce();
        }
    }
}
