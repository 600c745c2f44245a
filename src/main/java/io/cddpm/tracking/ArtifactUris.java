package io.cddpm.tracking;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where to PUT a run's artifact through the tracking server's artifact proxy. A run whose artifact
 * URI is {@code mlflow-artifacts:/<experiment>/<run>/artifacts} (the server runs with
 * {@code --serve-artifacts}) has its file {@code a/b.png} at
 * {@code <tracking uri>/api/2.0/mlflow-artifacts/artifacts/<experiment>/<run>/artifacts/a/b.png}
 * (as MLflow's own {@code MlflowArtifactsRepository} resolves it: the artifact URI's host, when it
 * names one, replaces the tracking URI's). An http(s) artifact URI is used as it is.
 */
final class ArtifactUris {
    static final String PROXY_BASE = "/api/2.0/mlflow-artifacts/artifacts";

    private ArtifactUris() {}

    /**
     * @throws IllegalArgumentException when the artifact URI is neither mlflow-artifacts nor http(s):
     *                                  the server does not proxy artifacts
     */
    static URI resolve(String trackingUri, String artifactUri, String artifactPath) {
        URI tracking = URI.create(trackingUri);
        URI artifacts = URI.create(artifactUri);
        String scheme = artifacts.getScheme();
        String base;
        if ("mlflow-artifacts".equals(scheme)) {
            String host = artifacts.getRawAuthority() != null ? artifacts.getRawAuthority() : tracking.getRawAuthority();
            String trackingPath = tracking.getRawPath() == null ? "" : tracking.getRawPath();
            String path = (trackingPath + "/" + PROXY_BASE + "/" + artifacts.getRawPath()).replaceAll("/{2,}", "/");
            base = tracking.getScheme() + "://" + host + path;
        } else if ("http".equals(scheme) || "https".equals(scheme)) {
            base = artifactUri;
        } else {
            throw new IllegalArgumentException("the run's artifact location " + artifactUri + " is not served by the"
                    + " tracking server; start MLflow with --serve-artifacts (default artifact root mlflow-artifacts:/)");
        }
        return URI.create(stripSlash(base) + "/" + encodePath(artifactPath));
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Percent-encodes each '/'-separated segment. */
    static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String seg : path.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }
}
