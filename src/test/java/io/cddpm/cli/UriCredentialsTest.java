package io.cddpm.cli;

import io.cddpm.pipeline.ModelCheckpoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.config.TrackingUris;
import io.cddpm.core.InvalidInputException;
import io.cddpm.state.StateDatabase;
import io.cddpm.tracking.TrackingEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password in a tracking URI (issue 30, item 3) is refused at every place a URI is given, with exit 2
 * and a message naming the key and MLflow's environment variables, and reaches no output or file: the
 * YAML's tracking.uri, a --set of it, $MLFLOW_TRACKING_URI, {@code outbox send|drop --uri} and a
 * registered model's server. (SecretsIT runs the same refusals as separate processes, with the variable
 * really in their environment.)
 */
class UriCredentialsTest {
    private static final String SECRET = "secretpw";
    private static final String URI = "http://user:" + SECRET + "@127.0.0.1:1";
    private static final String MASKED = "http://***@127.0.0.1:1";

    @TempDir
    Path dir;

    @BeforeEach
    void state() {
        System.setProperty(StateDatabase.PROPERTY, dir.resolve("state").toString());
    }

    @AfterEach
    void clear() {
        System.clearProperty(StateDatabase.PROPERTY);
    }

    private Path yaml(String trackingUri) throws IOException {
        Path p = dir.resolve("secret.yaml");
        Files.writeString(p, """
                name: secret
                output_dir: %s
                resolution: 16
                training: { epochs: 1 }
                tracking:
                  uri: %s
                """.formatted(dir.resolve("runs"), trackingUri));
        return p;
    }

    /** Refused with exit 2, saying where and what to use instead, and the secret is in no output and no file. */
    private void assertRefused(OutboxCommandTest.Out out, String... where) throws IOException {
        assertEquals(ExitCodes.BAD_INPUT, out.exit(), out.out());
        for (String part : List.of(TrackingUris.USERNAME_ENV, TrackingUris.PASSWORD_ENV, TrackingUris.TOKEN_ENV, MASKED)) {
            assertTrue(out.out().contains(part), () -> "expected '" + part + "' in: " + out.out());
        }
        for (String part : where) {
            assertTrue(out.out().contains(part), () -> "expected '" + part + "' in: " + out.out());
        }
        assertFalse(out.out().contains(SECRET), out.out());
        assertNoFileHoldsTheSecret();
    }

    private void assertNoFileHoldsTheSecret() throws IOException {
        List<String> leaks = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                // the experiment file itself is the user's; everything cddpm wrote (state, run folders) is searched
                if (!f.getFileName().toString().equals("secret.yaml")
                        && new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(SECRET)) {
                    leaks.add(dir.relativize(f).toString());
                }
            }
        }
        assertTrue(leaks.isEmpty(), "the password is in " + leaks);
        assertFalse(Files.exists(dir.resolve("runs")), "nothing of the run was written");
    }

    @Test
    void inTheYamlConfigAndRunRefuseIt() throws IOException {
        Path file = yaml(URI);
        assertRefused(OutboxCommandTest.cddpm("config", file.toString()), "secret.yaml:6", "key 'tracking.uri'");
        assertRefused(OutboxCommandTest.cddpm("run", file.toString()), "secret.yaml:6", "key 'tracking.uri'");
        assertRefused(OutboxCommandTest.cddpm("run", file.toString(), "--submit"), "secret.yaml:6", "key 'tracking.uri'");
    }

    @Test
    void inASetConfigAndRunRefuseItAndNameTheSetMasked() throws IOException {
        Path file = yaml("http://127.0.0.1:1");
        String set = "tracking.uri=" + URI;
        assertRefused(OutboxCommandTest.cddpm("config", file.toString(), "--set", set), "--set tracking.uri=" + MASKED,
                "key 'tracking.uri'");
        assertRefused(OutboxCommandTest.cddpm("run", file.toString(), "--set", set), "--set tracking.uri=" + MASKED);
    }

    @Test
    void outboxSendAndDropRefuseIt() throws IOException {
        assertRefused(OutboxCommandTest.cddpm("outbox", "send", "--uri", URI, "--adopt-unknown", "--timeout", "1"), "--uri");
        assertRefused(OutboxCommandTest.cddpm("outbox", "drop", "--uri", URI), "--uri");
    }

    @Test
    void inTheEnvironmentTheTrackingServerAndARegisteredModelRefuseIt() throws IOException {
        Map<String, String> env = Map.of(TrackingEndpoint.URI_ENV, URI);
        for (Runnable use : List.<Runnable>of(
                () -> TrackingEndpoint.configuredUri(null, env),
                () -> ModelCheckpoints.local("models:/secret@champion", env))) {
            String m = assertThrows(InvalidInputException.class, use::run).getMessage();
            assertRefused(new OutboxCommandTest.Out(ExitCodes.BAD_INPUT, m), "$" + TrackingEndpoint.URI_ENV);
        }
    }

    @Test
    void everyFormOfCredentialIsFoundAndMasked() {
        for (String uri : List.of("http://user:pw@host:5000", "https://token@host", "http://u:p@ss@host/path",
                "http://host:5000/?password=pw", "http://host/?a=1&token=pw", "HTTP://USER:PW@HOST")) {
            assertTrue(TrackingUris.hasCredentials(uri), uri);
            String masked = TrackingUris.redact(uri);
            assertFalse(masked.contains("pw") || masked.contains("ss@") || masked.contains("token@") || masked.contains("PW"), masked);
        }
        for (String uri : List.of("http://127.0.0.1:5000", "https://mlflow.example.com/base?x=1", "local:/data/mlruns", "databricks")) {
            assertFalse(TrackingUris.hasCredentials(uri), uri);
            assertEquals(uri, TrackingUris.redact(uri));
        }
    }
}
