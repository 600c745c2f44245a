package io.cddpm.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cddpm.state.TestPostgres;
import io.cddpm.tracking.MlflowRest;
import io.cddpm.tracking.MlflowServer;
import io.cddpm.tracking.MlflowTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail-over on real parts: a PostgreSQL server (the test's own), a real MLflow server and two worker
 * JVMs. A 4-trial sweep is submitted; both workers run trials; one worker is killed with SIGKILL in the
 * middle of a trial; the other recovers that trial's job (Quartz's cluster check-in, requestsRecovery)
 * and finishes it from its newest checkpoint in the shared output folder. At the end every trial is
 * FINISHED exactly once in MLflow with each step's loss logged once, the sweep's parent run is
 * FINISHED, and no trial was ever taken by a worker while another still ran it.
 */
class ClusterFailoverIT {
    private static final int EPOCHS = 4;
    private static final int STEPS_PER_EPOCH = 4; // 64 images, batch 16
    private static final Pattern SWEEP = Pattern.compile("(?m)^sweep ([0-9a-f-]{36}) ");
    private static final Pattern TAKEN = Pattern.compile("(?m)^trial \\d+ of 4 \\((\\S+)\\) of sweep \\S+: taken by worker (\\S+)(.*)$");

    @Test
    void aKilledWorkersTrialIsFinishedByTheOtherFromItsCheckpoint(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        Path yaml = dir.resolve("cluster.yaml");
        Path runs = dir.resolve("runs");
        Files.writeString(yaml, """
                name: cluster-it
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 64, seed: 0 }, test_files: [test] }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: %d, batch_size: 16, checkpoint_every: 1, evaluate_every: %d }
                sampling: { sampler: ddim, steps: 5, guidance: 2.0 }
                evaluation: { evaluator: train, evaluator_epochs: 1 }
                tracking: { system_metrics_interval: 0 }
                sweep:
                  diffusion.prediction_type: [epsilon, sample]
                  diffusion.beta_schedule: [linear, squaredcos_cap_v2]
                """.formatted(runs, EPOCHS, EPOCHS));
        Path exe = MlflowTestServer.executableOrSkip();
        try (TestPostgres pg = TestPostgres.start();
                MlflowServer mlflow = MlflowTestServer.start(exe, dir.resolve("mlflow"), MlflowServer.freePort())) {
            System.out.printf("PostgreSQL at %s, MLflow at %s, after %.1f s%n", pg.url(), mlflow.trackingUri(), seconds(t0));
            Path submitLog = dir.resolve("submit.log");
            Process submit = cddpm(dir, pg, submitLog, "run", yaml.toString(), "--submit", "--set", "tracking.uri=" + mlflow.trackingUri());
            assertTrue(submit.waitFor(5, TimeUnit.MINUTES));
            String submitted = Files.readString(submitLog);
            assertEquals(0, submit.exitValue(), submitted);
            Matcher m = SWEEP.matcher(submitted);
            assertTrue(m.find(), submitted);
            String sweep = m.group(1);
            assertTrue(submitted.contains("4 trial(s) queued"), submitted);

            Path logA = dir.resolve("worker-a.log");
            Path logB = dir.resolve("worker-b.log");
            Process a = cddpm(dir, pg, logA, "worker");
            Process b = cddpm(dir, pg, logB, "worker");
            String workerA = null;
            String victim = null;
            int victimEpoch = -1;
            Set<String> runningTogether = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            // kill A once it has written a checkpoint of a trial and not its last one, while B runs a trial too
            while (victim == null) {
                assertTrue(a.isAlive() && b.isAlive(), "a worker ended early:\n" + Files.readString(logA) + "\n" + Files.readString(logB));
                assertTrue(System.nanoTime() < deadline, "no trial of worker A reached a checkpoint in time:\n" + Files.readString(logA));
                workerA = workerId(logA);
                Map<String, Object[]> rows = trials(pg, sweep);
                runningTogether.clear();
                for (Map.Entry<String, Object[]> r : rows.entrySet()) {
                    if ("RUNNING".equals(r.getValue()[0])) {
                        runningTogether.add((String) r.getValue()[1]);
                    }
                }
                for (Map.Entry<String, Object[]> r : rows.entrySet()) {
                    int epoch = (Integer) r.getValue()[2];
                    if (workerA != null && "RUNNING".equals(r.getValue()[0]) && workerA.equals(r.getValue()[1]) && epoch >= 1 && epoch < EPOCHS
                            && runningTogether.size() == 2) {
                        victim = r.getKey();
                        victimEpoch = epoch;
                    }
                }
                Thread.sleep(200);
            }
            a.destroyForcibly(); // SIGKILL: no shutdown hooks, no flush, no goodbye to the cluster
            a.waitFor();
            double killedAt = seconds(t0);
            System.out.printf("t=%.1f s: killed worker A (%s) in trial %s after its checkpoint of epoch %d; running then: %s%n", killedAt,
                    workerA, victim, victimEpoch, runningTogether);
            assertEquals(2, runningTogether.size(), "both workers were running a trial");

            // B recovers the job once A stops checking in, and finishes every trial
            double recoveredAt = -1;
            while (!"FINISHED".equals(sweepStatus(pg, sweep))) {
                assertTrue(b.isAlive(), "worker B ended:\n" + Files.readString(logB));
                assertTrue(System.nanoTime() < deadline, "the sweep did not finish in time:\n" + Files.readString(logB));
                if (recoveredAt < 0 && Files.readString(logB).contains("(" + victim + ") of sweep " + sweep + ": taken by worker")
                        && Files.readString(logB).contains("recovered")) {
                    recoveredAt = seconds(t0);
                    System.out.printf("t=%.1f s: worker B recovered trial %s (%.1f s after the kill)%n", recoveredAt, victim, recoveredAt - killedAt);
                }
                Thread.sleep(200);
            }
            double finishedAt = seconds(t0);
            b.toHandle().destroy(); // SIGTERM: a worker stops cleanly
            assertTrue(b.waitFor(60, TimeUnit.SECONDS), "worker B did not stop");
            String outA = Files.readString(logA);
            String outB = Files.readString(logB);
            assertEquals(0, b.exitValue(), outB);

            Matcher resumed = Pattern.compile("\\(" + Pattern.quote(victim) + "\\): resuming from \\S+epoch-(\\d{4})\\.ckpt").matcher(outB);
            assertTrue(resumed.find(), "B resumed the killed trial from a checkpoint:\n" + outB);
            int resumedEpoch = Integer.parseInt(resumed.group(1));
            assertTrue(resumedEpoch >= victimEpoch, "resumed from epoch " + resumedEpoch + ", A had written " + victimEpoch);
            System.out.printf("timeline: kill at t=%.1f s, recovered at t'=%.1f s, resumed at epoch %d; sweep finished at %.1f s%n",
                    killedAt, recoveredAt, resumedEpoch, finishedAt);

            // who took which trial: each trial once, the victim twice (A, then B after the kill), never two at once
            Map<String, List<String>> takers = new LinkedHashMap<>();
            for (String out : List.of(outA, outB)) {
                Matcher t = TAKEN.matcher(out);
                while (t.find()) {
                    takers.computeIfAbsent(t.group(1), k -> new ArrayList<>()).add(t.group(2) + (t.group(3).contains("recovered") ? "*" : ""));
                }
            }
            assertEquals(4, takers.size(), takers.toString());
            for (Map.Entry<String, List<String>> e : takers.entrySet()) {
                if (e.getKey().equals(victim)) {
                    assertEquals(List.of(workerA, workerId(logB) + "*"), e.getValue(), "the killed trial: A, then B recovering it");
                } else {
                    assertEquals(1, e.getValue().size(), e.getKey() + " was taken more than once: " + e.getValue());
                }
            }
            String idA = workerA;
            String idB = workerId(logB);
            assertTrue(takers.values().stream().anyMatch(w -> w.get(0).equals(idA)) && takers.values().stream()
                    .anyMatch(w -> w.get(0).equals(idB)), "both workers took trials: " + takers);

            MlflowRest rest = new MlflowRest(mlflow.trackingUri());
            String experimentId = rest.experimentByName("cluster-it").get("experiment_id").asText();
            List<JsonNode> parents = new ArrayList<>();
            List<JsonNode> children = new ArrayList<>();
            for (JsonNode r : rest.searchRuns(experimentId).path("runs")) {
                Map<String, String> tags = MlflowRest.keyValues(r.at("/data/tags"));
                ("sweep".equals(tags.get("cddpm.kind")) ? parents : children).add(r);
            }
            assertEquals(1, parents.size());
            assertEquals("FINISHED", parents.get(0).at("/info/status").asText(), "the last trial's worker ended the sweep");
            assertEquals(4, children.size(), "one MLflow run per trial, the killed one continued in its own run");
            Set<String> labels = new HashSet<>();
            for (JsonNode child : children) {
                assertEquals("FINISHED", child.at("/info/status").asText());
                labels.add(MlflowRest.keyValues(child.at("/data/tags")).get("cddpm.trial"));
                List<JsonNode> loss = rest.history(child.at("/info/run_id").asText(), "loss");
                Set<Long> steps = new HashSet<>();
                loss.forEach(p -> steps.add(p.get("step").asLong()));
                assertEquals(EPOCHS * STEPS_PER_EPOCH, loss.size(), "each step's loss once: " + steps);
                assertEquals(EPOCHS * STEPS_PER_EPOCH, steps.size());
            }
            assertEquals(takers.keySet(), labels);
            System.out.printf("wall time %.1f s%n", seconds(t0));
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The worker id a worker printed when it started ("worker ID started ..."), or null before that. */
    private static String workerId(Path log) throws IOException {
        Matcher m = Pattern.compile("(?m)^worker (\\S+) started").matcher(Files.readString(log));
        return m.find() ? m.group(1) : null;
    }

    /** label -> {status, worker, last epoch}, read straight from the state database. */
    private static Map<String, Object[]> trials(TestPostgres pg, String sweep) throws Exception {
        Map<String, Object[]> out = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(pg.url(), TestPostgres.USER, "");
                PreparedStatement p = c.prepareStatement("SELECT LABEL, STATUS, WORKER, LAST_EPOCH FROM TRIAL WHERE SWEEP_KEY = ?")) {
            p.setString(1, sweep);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.put(r.getString(1), new Object[] {r.getString(2), r.getString(3), r.getInt(4)});
                }
            }
        }
        return out;
    }

    private static String sweepStatus(TestPostgres pg, String sweep) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.url(), TestPostgres.USER, "");
                PreparedStatement p = c.prepareStatement("SELECT STATUS FROM SWEEP WHERE RUN_KEY = ?")) {
            p.setString(1, sweep);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    /** cddpm in a JVM of its own on the test's PostgreSQL, with a short cluster check-in and delivery lease. */
    private static Process cddpm(Path workDir, TestPostgres pg, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-Dcddpm.cluster.checkinMillis=2000", "-Dcddpm.tracking.leaseSeconds=5", "-jar",
                Path.of("target/cddpm.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CDDPM_STATE", pg.url());
        pb.environment().put("CDDPM_STATE_USER", TestPostgres.USER);
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        pb.environment().remove("MLFLOW_TRACKING_URI");
        return pb.start();
    }
}
