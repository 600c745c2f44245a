package io.cddpm.tracking;

import io.cddpm.config.TrackingUris;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.mlflow.tracking.creds.MlflowHostCredsProvider;

/**
 * The MLflow server's credentials, from the environment only: {@code $MLFLOW_TRACKING_TOKEN} (bearer),
 * else {@code $MLFLOW_TRACKING_USERNAME} and {@code $MLFLOW_TRACKING_PASSWORD} (basic). Every request to
 * the server carries them: the Java client's calls (whose {@code MlflowClient(String uri)} reads none of
 * these variables, unlike MLflow's Python client) and cddpm's own artifact and model-registry requests.
 * They are never part of a URI ({@link TrackingUris}) and never written anywhere; this class has no
 * {@code toString} that could show them.
 */
final class MlflowCredentials {
    private final String username;
    private final String password;
    private final String token;

    private MlflowCredentials(String username, String password, String token) {
        this.username = username;
        this.password = password;
        this.token = token;
    }

    /** The credentials in env (none when the variables are unset or blank). */
    static MlflowCredentials fromEnv(Map<String, String> env) {
        String token = env.get(TrackingUris.TOKEN_ENV);
        if (token != null && !token.isBlank()) {
            return new MlflowCredentials(null, null, token);
        }
        String user = env.get(TrackingUris.USERNAME_ENV);
        String password = env.get(TrackingUris.PASSWORD_ENV);
        return user != null && password != null ? new MlflowCredentials(user, password, null) : new MlflowCredentials(null, null, null);
    }

    /** The value of an HTTP {@code Authorization} header, or null without credentials. */
    String authorization() {
        if (token != null) {
            return "Bearer " + token;
        }
        if (username != null) {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** The Java client's view of the server at trackingUri with these credentials. */
    MlflowHostCredsProvider hostCreds(String trackingUri) {
        return new BasicMlflowHostCreds(trackingUri, username, password, token, false);
    }
}
