package io.cddpm.config;

import io.cddpm.core.InvalidInputException;
import java.util.regex.Pattern;

/**
 * Credentials written into a tracking URI ({@code http://user:password@host}, or a password or token
 * in its query) are refused wherever a URI is given: {@code tracking.uri} (YAML or {@code --set}),
 * {@code $MLFLOW_TRACKING_URI} and {@code cddpm outbox send|drop --uri}. A URI is shown in messages,
 * stored in the run's config.yaml, report.html, MLflow params and the outbox table, and sits in shell
 * histories; credentials belong in MLflow's own environment variables, which cddpm sends to the server
 * and writes nowhere. A refusal shows the URI with its credentials masked, never the password.
 */
public final class TrackingUris {
    /** MLflow's user for HTTP basic authentication. */
    public static final String USERNAME_ENV = "MLFLOW_TRACKING_USERNAME";
    /** MLflow's password for HTTP basic authentication. */
    public static final String PASSWORD_ENV = "MLFLOW_TRACKING_PASSWORD";
    /** MLflow's bearer token (used instead of the user and password when set). */
    public static final String TOKEN_ENV = "MLFLOW_TRACKING_TOKEN";

    /** {@code scheme://userinfo@}: the userinfo runs to the last '@' before the path, query or fragment. */
    private static final Pattern USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\\s]*@");
    /** A query or matrix parameter that carries a secret. */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([?&;](?:password|passwd|pwd|token|access_token|api_key|apikey|secret)=)[^&;#\\s]*");

    private TrackingUris() {}

    /** True when uri holds a user, password or token; false for null. */
    public static boolean hasCredentials(String uri) {
        return uri != null && (USERINFO.matcher(uri).find() || SECRET_PARAMETER.matcher(uri).find());
    }

    /** text with the credentials of every URI in it replaced by {@code ***}. */
    public static String redact(String text) {
        String s = USERINFO.matcher(text).replaceAll("$1***@");
        return SECRET_PARAMETER.matcher(s).replaceAll("$1***");
    }

    /** Why a URI with credentials is refused and what to do instead; shows the URI masked. */
    public static String refusal(String uri) {
        return "'" + redact(uri) + "' holds credentials; give them in $" + USERNAME_ENV + " and $" + PASSWORD_ENV
                + " (or a token in $" + TOKEN_ENV + ") instead, so that they appear in no command line, log, file or MLflow record";
    }

    /**
     * Refuses a URI with credentials.
     *
     * @param named where the URI was given, e.g. {@code $MLFLOW_TRACKING_URI} or {@code --uri}
     * @throws InvalidInputException naming where and the masked URI
     */
    public static void refuseCredentials(String uri, String named) {
        if (hasCredentials(uri)) {
            throw new InvalidInputException(named + ": " + refusal(uri));
        }
    }
}
