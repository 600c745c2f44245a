package io.cddpm.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArtifactUrisTest {
    @Test
    void proxiedArtifactUriResolvesUnderTheTrackingServer() {
        assertEquals("http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/samples/test/000.png",
                ArtifactUris.resolve("http://127.0.0.1:5000", "mlflow-artifacts:/1/abc/artifacts",
                        "samples/test/000.png").toString());
    }

    @Test
    void trackingPathPrefixAndArtifactHostAreKept() {
        assertEquals("https://other:8080/mlflow/api/2.0/mlflow-artifacts/artifacts/2/r/artifacts/a%20b.png",
                ArtifactUris.resolve("https://host/mlflow/", "mlflow-artifacts://other:8080/2/r/artifacts",
                        "a b.png").toString());
    }

    @Test
    void httpArtifactUriIsUsedAsItIs() {
        assertEquals("http://h/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/x.txt",
                ArtifactUris.resolve("http://h", "http://h/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts", "x.txt")
                        .toString());
    }

    @Test
    void localArtifactStoreIsRefusedWithAHint() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ArtifactUris.resolve("http://h", "file:///tmp/mlruns/1/r/artifacts", "x.txt"));
        assertEquals(true, e.getMessage().contains("--serve-artifacts"));
    }
}
