package io.cddpm.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registered models by URI, {@code models:/NAME@ALIAS} or {@code models:/NAME/VERSION}: the version is
 * looked up in the tracking server's registry and its model directory downloaded through the artifact
 * proxy into a local cache ({@code $CDDPM_CACHE/models} or {@code ~/.cache/cddpm/models}), once per
 * version. An alias is looked up every time (it moves), the files only when the version is new.
 */
public final class RegisteredModels {
    public static final String SCHEME = "models:/";
    public static final String CACHE_ENV = "CDDPM_CACHE";
    private static final Pattern URI_FORM = Pattern.compile("models:/([^/@]+)(?:@([A-Za-z0-9_\\-]+)|/(\\d+))/?");
    private static final String COMPLETE = ".complete";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A model version: its number and where its files are (an artifact URI). */
    public record Version(String name, String version, String source) {}

    private RegisteredModels() {}

    public static boolean isModelUri(String s) {
        return s != null && s.startsWith(SCHEME);
    }

    /** $CDDPM_CACHE/models, else ~/.cache/cddpm/models. */
    public static Path cacheRoot(Map<String, String> env) {
        String cache = env.get(CACHE_ENV);
        Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "cddpm");
        return base.resolve("models");
    }

    /** The version a models:/ URI names now. */
    public static Version resolve(String trackingUri, String modelUri) throws IOException {
        Matcher m = URI_FORM.matcher(modelUri);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + modelUri + "' is not models:/NAME@ALIAS or models:/NAME/VERSION");
        }
        String name = m.group(1);
        JsonNode v = m.group(2) != null
                ? get(trackingUri, "registered-models/alias?name=" + q(name) + "&alias=" + q(m.group(2)))
                : get(trackingUri, "model-versions/get?name=" + q(name) + "&version=" + q(m.group(3)));
        String version = v.path("model_version").path("version").asText();
        JsonNode uri = get(trackingUri, "model-versions/get-download-uri?name=" + q(name) + "&version=" + q(version));
        return new Version(name, version, uri.path("artifact_uri").asText());
    }

    /** The local copy of the model directory a models:/ URI names (downloaded if this version is not cached yet). */
    public static Path download(String trackingUri, String modelUri, Path cacheRoot) throws IOException {
        Version v = resolve(trackingUri, modelUri);
        Path dir = cacheRoot.resolve(v.name().replaceAll("[^A-Za-z0-9._-]", "_")).resolve(v.version());
        if (Files.isRegularFile(dir.resolve(COMPLETE))) {
            return dir;
        }
        Path tmp = Files.createDirectories(cacheRoot).resolve(".download-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            fetchTree(trackingUri, v.source(), "", tmp);
            Files.writeString(tmp.resolve(COMPLETE), v.source() + "\n");
            Files.createDirectories(dir.getParent());
            if (Files.exists(dir)) {
                deleteTree(dir);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
        return dir;
    }

    private static void fetchTree(String trackingUri, String artifactUri, String rel, Path into) throws IOException {
        URI dir = ArtifactUris.resolve(trackingUri, artifactUri, rel);
        String proxyPath = dir.getRawPath().substring(dir.getRawPath().indexOf(ArtifactUris.PROXY_BASE) + ArtifactUris.PROXY_BASE.length());
        String listing = URI.create(trackingUri).resolve(ArtifactUris.PROXY_BASE + "?path="
                + q(java.net.URLDecoder.decode(proxyPath.replaceFirst("^/", ""), StandardCharsets.UTF_8))).toString();
        JsonNode files = JSON.readTree(send(listing, HttpResponse.BodyHandlers.ofString())).path("files");
        Files.createDirectories(into);
        for (JsonNode f : files) {
            String name = Path.of(f.path("path").asText()).getFileName().toString();
            if (name.equals("..") || name.equals(".") || name.isEmpty()) {
                continue;
            }
            String child = rel.isEmpty() ? name : rel + "/" + name;
            if (f.path("is_dir").asBoolean()) {
                fetchTree(trackingUri, artifactUri, child, into.resolve(name));
            } else {
                send(ArtifactUris.resolve(trackingUri, artifactUri, child).toString(), HttpResponse.BodyHandlers.ofFile(into.resolve(name)));
            }
        }
    }

    private static JsonNode get(String trackingUri, String apiPath) throws IOException {
        String base = trackingUri.endsWith("/") ? trackingUri.substring(0, trackingUri.length() - 1) : trackingUri;
        return JSON.readTree(send(base + "/api/2.0/mlflow/" + apiPath, HttpResponse.BodyHandlers.ofString()));
    }

    private static <T> T send(String url, HttpResponse.BodyHandler<T> handler) throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).GET();
        String auth = MlflowCredentials.fromEnv(System.getenv()).authorization();
        if (auth != null) {
            req.header("Authorization", auth);
        }
        try {
            HttpResponse<T> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(req.build(), handler);
            if (r.statusCode() != 200) {
                Object body = r.body();
                throw new IOException("GET " + url + " -> HTTP " + r.statusCode() + (body instanceof String s ? " " + s : ""));
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: GET " + url, e);
        }
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
