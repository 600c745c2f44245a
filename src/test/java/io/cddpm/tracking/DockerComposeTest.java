package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker cannot run here: check docker-compose.yml parses and wires the services as documented. */
class DockerComposeTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();

    private static JsonNode compose() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void mlflowServesArtifactsFromAVolumeWithAPostgresBackend() throws Exception {
        JsonNode services = compose().get("services");
        JsonNode mlflow = services.get("mlflow");
        List<String> cmd = strings(mlflow.get("command"));
        assertTrue(cmd.contains("--serve-artifacts"));
        String backend = cmd.get(cmd.indexOf("--backend-store-uri") + 1);
        assertTrue(backend.startsWith("postgresql://") && backend.contains("@postgres:"), backend);
        String artifacts = cmd.get(cmd.indexOf("--artifacts-destination") + 1);
        assertTrue(strings(mlflow.get("volumes")).stream().anyMatch(v -> v.endsWith(":" + artifacts)));
        assertEquals("./mlflow", mlflow.get("build").asText());
        assertTrue(Files.readString(ROOT.resolve("mlflow/Dockerfile")).contains("psycopg2-binary=="));
        assertEquals("service_healthy", mlflow.at("/depends_on/postgres/condition").asText());
        assertTrue(services.has("postgres"));
        assertTrue(compose().at("/volumes").has("mlflow-artifacts"));
    }

    @Test
    void cddpmTalksToTheMlflowServiceAndReservesNvidiaGpus() throws Exception {
        JsonNode cddpm = compose().get("services").get("cddpm");
        assertEquals("http://mlflow:5000", cddpm.at("/environment/MLFLOW_TRACKING_URI").asText());
        JsonNode device = cddpm.at("/deploy/resources/reservations/devices/0");
        assertEquals("nvidia", device.get("driver").asText());
        assertEquals(List.of("gpu"), strings(device.get("capabilities")));
        assertTrue(cddpm.at("/build/args/MAVEN_PROFILES").asText().contains("-Pcuda"));
        String dockerfile = Files.readString(ROOT.resolve("src/main/docker/Dockerfile"));
        assertTrue(dockerfile.contains("ARG MAVEN_PROFILES") && dockerfile.contains("${MAVEN_PROFILES}"));
    }

    @Test
    void workersScaleAgainstTheComposePostgresAndMlflow() throws Exception {
        JsonNode services = compose().get("services");
        JsonNode worker = services.get("worker");
        assertEquals(List.of("worker"), strings(worker.get("command")));
        assertTrue(!worker.has("ports") && !worker.has("container_name"), "a scalable service publishes no port and has no fixed name");
        String state = worker.at("/environment/CDDPM_STATE").asText();
        assertTrue(state.startsWith("jdbc:postgresql://postgres:5432/") && !state.contains("password"), state);
        assertTrue(worker.at("/environment/CDDPM_STATE_PASSWORD").asText().startsWith("${"), "the password comes from the environment");
        assertEquals("http://mlflow:5000", worker.at("/environment/MLFLOW_TRACKING_URI").asText());
        assertEquals("service_healthy", worker.at("/depends_on/postgres/condition").asText());
        assertEquals("service_healthy", worker.at("/depends_on/mlflow/condition").asText());
        assertEquals(strings(services.get("cddpm").get("volumes")), strings(worker.get("volumes")), "workers share the output folder");
        assertEquals(state, services.get("cddpm").at("/environment/CDDPM_STATE").asText(), "submit and workers share the state");
        String database = state.substring(state.lastIndexOf('/') + 1);
        String init = strings(services.get("postgres").get("volumes")).stream().filter(v -> v.contains("docker-entrypoint-initdb.d"))
                .findFirst().orElseThrow();
        Path dir = ROOT.resolve(init.substring(0, init.indexOf(':')));
        try (var files = Files.list(dir)) {
            String sql = String.join("\n", files.map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList());
            assertTrue(sql.contains("CREATE DATABASE " + database), sql);
        }
    }
}
