package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.HttpServer;
import io.cddpm.config.TrackingUris;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.mlflow.tracking.MlflowClient;

/**
 * The MLflow credentials of the environment reach the server on the Java client's calls too (its
 * {@code MlflowClient(String)} reads none of MLflow's variables), and the URI stays without them.
 */
class MlflowCredentialsTest {
    /** The Authorization headers a loopback server saw while the MLflow Java client asked it for an experiment. */
    private static List<String> authorizationSent(Map<String, String> env) throws IOException {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            seen.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"experiment\": {\"experiment_id\": \"1\", \"name\": \"e\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String uri = "http://127.0.0.1:" + server.getAddress().getPort();
            new MlflowClient(MlflowCredentials.fromEnv(env).hostCreds(uri)).getExperiment("1");
        } finally {
            server.stop(0);
        }
        return seen;
    }

    @Test
    void userAndPasswordAreSentAsBasicAuthentication() throws IOException {
        String basic = "Basic " + Base64.getEncoder().encodeToString("ann:pw".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(basic), authorizationSent(Map.of(TrackingUris.USERNAME_ENV, "ann", TrackingUris.PASSWORD_ENV, "pw")));
        assertEquals(basic, MlflowCredentials.fromEnv(Map.of(TrackingUris.USERNAME_ENV, "ann", TrackingUris.PASSWORD_ENV, "pw"))
                .authorization());
    }

    @Test
    void aTokenIsSentAsBearerAndWinsOverUserAndPassword() throws IOException {
        Map<String, String> env = Map.of(TrackingUris.TOKEN_ENV, "tk", TrackingUris.USERNAME_ENV, "ann", TrackingUris.PASSWORD_ENV, "pw");
        assertEquals(List.of("Bearer tk"), authorizationSent(env));
        assertEquals("Bearer tk", MlflowCredentials.fromEnv(env).authorization());
    }

    @Test
    void withoutCredentialsNothingIsSent() throws IOException {
        assertEquals(List.of("null"), authorizationSent(Map.of(TrackingUris.USERNAME_ENV, "ann")));
        assertNull(MlflowCredentials.fromEnv(Map.of()).authorization());
    }
}
