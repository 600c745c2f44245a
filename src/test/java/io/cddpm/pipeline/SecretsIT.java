package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cddpm.tracking.MlflowRest;
import io.cddpm.tracking.MlflowServer;
import io.cddpm.tracking.MlflowTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets stay secret: a tiny {@code cddpm run} with MLFLOW_TRACKING_USERNAME / _PASSWORD / _TOKEN in its
 * environment (debug logging on) writes none of them, nor the basic-auth header made of them, to its log,
 * to any file under the work folder (run folders, the H2 state database, the MLflow server's data), or to
 * any MLflow param or tag.
 */
class SecretsIT {
    @Test
    void credentialsAppearNowhere(@TempDir Path dir) throws Exception {
        String user = "user-" + UUID.randomUUID();
        String password = "password-" + UUID.randomUUID();
        String token = "token-" + UUID.randomUUID();
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("username", user);
        secrets.put("password", password);
        secrets.put("token", token);
        secrets.put("basic auth header", Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));

        Path yaml = dir.resolve("secret.yaml");
        Files.writeString(yaml, """
                name: secrets-it
                output_dir: %s
                resolution: 16
                dataset: { render: { count: 32, seed: 0 }, test_files: [test] }
                model: { preset: custom, block_out_channels: [32, 64], layers_per_block: 1, attention_levels: [false, true] }
                training: { epochs: 1, batch_size: 16 }
                sampling: { sampler: ddim, steps: 3, guidance: 2.0 }
                evaluation: { evaluator: train, evaluator_epochs: 1 }
                """.formatted(dir.resolve("runs")));
        Path exe = MlflowTestServer.executableOrSkip();
        try (MlflowServer server = MlflowTestServer.start(exe, dir.resolve("mlflow"), MlflowServer.freePort())) {
            Path log = dir.resolve("run.log");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dai.djl.offline=true", "-Dcddpm.state=" + dir.resolve("state"), "-jar",
                    Path.of("target/cddpm.jar").toAbsolutePath().toString(), "run", yaml.toString(), "--set",
                    "tracking.uri=" + server.trackingUri()));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("MLFLOW_TRACKING_USERNAME", user);
            pb.environment().put("MLFLOW_TRACKING_PASSWORD", password);
            pb.environment().put("MLFLOW_TRACKING_TOKEN", token);
            pb.environment().put("CDDPM_LOG_LEVEL", "DEBUG");
            pb.environment().put("CDDPM_DEBUG", "1");
            Process run = pb.start();
            assertTrue(run.waitFor(10, TimeUnit.MINUTES), "the run did not end");
            String out = Files.readString(log);
            assertEquals(0, run.exitValue(), out);

            List<String> leaks = new ArrayList<>();
            List<Path> files;
            try (Stream<Path> s = Files.walk(dir)) {
                files = s.filter(Files::isRegularFile).toList();
            }
            assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".mv.db")), "the H2 database is searched too");
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                String latin = new String(bytes, StandardCharsets.ISO_8859_1);
                // H2 stores strings as UTF-8, and may compress pages: the files are checked as they are on disk
                for (Map.Entry<String, String> s : secrets.entrySet()) {
                    if (latin.contains(s.getValue())) {
                        leaks.add(s.getKey() + " in " + dir.relativize(f));
                    }
                }
            }
            MlflowRest rest = new MlflowRest(server.trackingUri());
            String experimentId = rest.experimentByName("secrets-it").get("experiment_id").asText();
            int runs = 0;
            for (JsonNode r : rest.searchRuns(experimentId).path("runs")) {
                runs++;
                for (String part : List.of("/data/params", "/data/tags")) {
                    for (JsonNode kv : r.at(part)) {
                        for (Map.Entry<String, String> s : secrets.entrySet()) {
                            if (kv.toString().contains(s.getValue())) {
                                leaks.add(s.getKey() + " in MLflow " + part + " " + kv.get("key").asText());
                            }
                        }
                    }
                }
            }
            assertEquals(2, runs, "the sweep and its trial");
            assertTrue(leaks.isEmpty(), "secrets leaked: " + leaks);
            assertFalse(out.isBlank());
            System.out.println("searched " + files.size() + " files and " + runs + " MLflow runs; no secret found");
        }
    }

    /**
     * A password in a tracking URI (issue 30, item 3) is refused with exit 2 by {@code cddpm config} and
     * {@code cddpm run} as separate processes, from the YAML and from $MLFLOW_TRACKING_URI in their real
     * environment, naming the key and MLflow's variables; it reaches neither their output (debug logging
     * on) nor any file they write.
     */
    @Test
    void aPasswordInATrackingUriIsRefused(@TempDir Path dir) throws Exception {
        String secret = "secretpw";
        String uri = "http://user:" + secret + "@127.0.0.1:1";
        Path plain = dir.resolve("plain.yaml");
        Files.writeString(plain, "name: plain\noutput_dir: " + dir.resolve("runs") + "\nresolution: 16\n");
        Path withUri = dir.resolve("with-uri.yaml");
        Files.writeString(withUri, Files.readString(plain) + "tracking: { uri: '" + uri + "' }\n");
        record Case(String key, String yaml, String command, boolean inEnvironment) {}
        for (Case c : List.of(new Case("tracking.uri", "with-uri.yaml", "config", false), new Case("tracking.uri", "with-uri.yaml", "run", false),
                new Case("$MLFLOW_TRACKING_URI", "plain.yaml", "config", true), new Case("$MLFLOW_TRACKING_URI", "plain.yaml", "run", true))) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true",
                    "-Dcddpm.state=" + dir.resolve("state"), "-jar", Path.of("target/cddpm.jar").toAbsolutePath().toString(), c.command(),
                    dir.resolve(c.yaml()).toString()).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().remove("MLFLOW_TRACKING_URI");
            if (c.inEnvironment()) {
                pb.environment().put("MLFLOW_TRACKING_URI", uri);
            }
            pb.environment().put("CDDPM_LOG_LEVEL", "DEBUG");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), c + " did not end");
            assertEquals(2, p.exitValue(), c + ": " + out);
            for (String part : List.of(c.key(), "http://***@127.0.0.1:1", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD",
                    "MLFLOW_TRACKING_TOKEN")) {
                assertTrue(out.contains(part), c + ": expected '" + part + "' in: " + out);
            }
            assertFalse(out.contains(secret), c + ": " + out);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).filter(f -> !f.equals(withUri)).toList()) {
                assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(secret), "the password is in " + f);
            }
        }
        assertFalse(Files.exists(dir.resolve("runs")), "no run folder was made");
    }
}
