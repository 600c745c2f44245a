package io.cddpm.tracking;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Uploads files to a run's artifacts with plain HTTP PUTs to the tracking server's artifact proxy
 * ({@code mlflow-artifacts}); no Python involved. Credentials from the environment, see {@link MlflowCredentials}.
 */
final class ArtifactUploader {
    private final String trackingUri;
    private final HttpClient http;
    private final String authorization;

    ArtifactUploader(String trackingUri) {
        this.trackingUri = trackingUri;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.authorization = MlflowCredentials.fromEnv(System.getenv()).authorization();
    }

    void upload(String artifactUri, String artifactPath, Path file) throws DeliveryException {
        URI target;
        try {
            target = ArtifactUris.resolve(trackingUri, artifactUri, artifactPath);
        } catch (IllegalArgumentException e) {
            throw new DeliveryException(e.getMessage(), true, e);
        }
        if (!Files.isRegularFile(file)) {
            throw new DeliveryException("artifact file " + file + " no longer exists", true, null);
        }
        String what = "upload " + file + " -> " + target;
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(target)
                    .timeout(Duration.ofMinutes(30))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file));
            if (authorization != null) {
                req.header("Authorization", authorization);
            }
            HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            int s = resp.statusCode();
            if (s / 100 != 2) {
                boolean permanent = s >= 400 && s < 500 && s != 408 && s != 429;
                throw new DeliveryException(what + ": HTTP " + s + " " + abbreviate(resp.body()), permanent, null);
            }
        } catch (FileNotFoundException e) {
            throw new DeliveryException("artifact file " + file + " no longer exists", true, e);
        } catch (IOException e) {
            throw new DeliveryException(what + ": " + e, false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException(what + ": interrupted", false, e);
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
