package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cddpm.config.TrackingConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrackingEndpointTest {
    @Test
    void yamlUriWinsOverTheEnvironment() {
        assertEquals(Optional.of("http://mlflow:5000"),
                TrackingEndpoint.configuredUri(new TrackingConfig(" http://mlflow:5000 ", null)));
    }

    @Test
    void withoutYamlUriTheEnvironmentDecides() {
        String env = System.getenv(TrackingEndpoint.URI_ENV);
        Optional<String> expected = env == null || env.isBlank() ? Optional.empty() : Optional.of(env.trim());
        assertEquals(expected, TrackingEndpoint.configuredUri(TrackingConfig.defaults()));
    }
}
