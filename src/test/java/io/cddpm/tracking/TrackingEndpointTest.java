package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cddpm.config.TrackingConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which server a run tracks to, with the environment given explicitly so every branch runs whatever the CI sets. */
class TrackingEndpointTest {
    private static final Map<String, String> ENV = Map.of(TrackingEndpoint.URI_ENV, " http://env-host:5000\n");

    @Test
    void yamlUriWinsOverTheEnvironment() {
        assertEquals(Optional.of("http://mlflow:5000"),
                TrackingEndpoint.configuredUri(new TrackingConfig(" http://mlflow:5000 ", null), ENV));
    }

    @Test
    void withoutYamlUriTheEnvironmentDecides() {
        assertEquals(Optional.of("http://env-host:5000"), TrackingEndpoint.configuredUri(TrackingConfig.defaults(), ENV));
    }

    @Test
    void withNeitherNoServerIsConfigured() {
        assertEquals(Optional.empty(), TrackingEndpoint.configuredUri(TrackingConfig.defaults(), Map.of()));
        assertEquals(Optional.empty(), TrackingEndpoint.configuredUri(new TrackingConfig("  ", null), Map.of(TrackingEndpoint.URI_ENV, "")));
    }
}
