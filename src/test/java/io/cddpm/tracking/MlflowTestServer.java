package io.cddpm.tracking;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Starts a real MLflow server for a test, or skips loudly when no mlflow is installed (fails on CI). */
public final class MlflowTestServer {
    private MlflowTestServer() {}

    public static Path executableOrSkip() {
        var exe = MlflowServer.locateExecutable();
        if (exe.isEmpty()) {
            String msg = "SKIPPED: no MLflow server executable (run `make mlflow-env` or set "
                    + MlflowServer.BIN_ENV + "); `make test` installs it";
            System.out.println("\n************************************************************\n" + msg
                    + "\n************************************************************\n");
            if (System.getenv("CI") != null) {
                Assertions.fail("CI must run the MLflow integration tests: " + msg);
            }
            Assumptions.abort(msg);
        }
        return exe.get();
    }

    public static MlflowServer start(Path exe, Path dataDir, int port) throws IOException {
        MlflowServer s = MlflowServer.start(exe, dataDir, port, Duration.ofMinutes(3));
        System.out.println("MLflow server " + s.trackingUri() + " started in " + s.startupTime().toMillis() + " ms");
        return s;
    }
}
