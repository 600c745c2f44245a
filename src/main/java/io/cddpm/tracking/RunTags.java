package io.cddpm.tracking;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The tags cddpm puts on every run: git commit, config hash, host, device. */
public final class RunTags {
    public static final String GIT_COMMIT = "mlflow.source.git.commit";
    public static final String CONFIG_HASH = "cddpm.config_hash";
    public static final String HOST = "cddpm.host";
    public static final String DEVICE = "cddpm.device";
    /** Overrides the git lookup, e.g. in a container image built without .git. */
    public static final String GIT_COMMIT_ENV = "CDDPM_GIT_COMMIT";

    private RunTags() {}

    /**
     * @param configHash {@code ConfigHash.of(config)}
     * @param device     the device trained on, e.g. {@code cpu} or {@code gpu(0)}
     */
    public static Map<String, String> standard(String configHash, String device) {
        Map<String, String> tags = new LinkedHashMap<>();
        gitCommit(Path.of(System.getProperty("cddpm.home", "."))).ifPresent(c -> tags.put(GIT_COMMIT, c));
        tags.put(CONFIG_HASH, configHash);
        tags.put(HOST, host());
        tags.put(DEVICE, device);
        return tags;
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("unknown");
        }
    }

    /** {@code $CDDPM_GIT_COMMIT}, else {@code git rev-parse HEAD} in dir; empty outside a git work tree. */
    public static Optional<String> gitCommit(Path dir) {
        String env = System.getenv(GIT_COMMIT_ENV);
        if (env != null && !env.isBlank()) {
            return Optional.of(env.trim());
        }
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
