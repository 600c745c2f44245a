package io.cddpm.cli;

import io.cddpm.core.BuildInfo;
import picocli.CommandLine.IVersionProvider;

/** Reports the project version (jar manifest) and, when known, the git commit. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"cddpm " + BuildInfo.version() + BuildInfo.gitCommit().map(c -> " (" + c + ")").orElse("")};
    }
}
