package io.cddpm.core;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What this cddpm is and where it runs: version, git commit, host. */
public final class BuildInfo {
    /** Overrides the git lookup, e.g. in a container image built without .git. */
    public static final String GIT_COMMIT_ENV = "CDDPM_GIT_COMMIT";
    private static final String DEVELOPMENT = "development";

    private BuildInfo() {}

    /** The version from the jar manifest, or "development" when run from classes. */
    public static String version() {
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        return v == null ? DEVELOPMENT : v;
    }

    /** The git commit of the cddpm home ($CDDPM_GIT_COMMIT first); empty outside a git work tree. */
    public static Optional<String> gitCommit() {
        return gitCommit(System.getenv(), Path.of(System.getProperty("cddpm.home", ".")));
    }

    /** {@code env[CDDPM_GIT_COMMIT]}, else {@code git rev-parse HEAD} in dir; empty outside a git work tree. */
    public static Optional<String> gitCommit(Map<String, String> env, Path dir) {
        String given = env.get(GIT_COMMIT_ENV);
        if (given != null && !given.isBlank()) {
            return Optional.of(given.trim());
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

    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("unknown");
        }
    }
}
