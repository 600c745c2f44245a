package io.cddpm.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the project version from the jar manifest. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = CddpmCommand.class.getPackage().getImplementationVersion();
        return new String[] {"cddpm " + (v == null ? "(development build)" : v)};
    }
}
