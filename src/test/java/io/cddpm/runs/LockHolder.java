package io.cddpm.runs;

import java.nio.file.Path;

/**
 * A separate process for the lock tests: takes the lock of the run folder args[0], prints "locked" (or
 * "busy"), and holds it until its standard input closes.
 */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        var lock = RunFolder.of(Path.of(args[0])).tryLock();
        System.out.println(lock.isPresent() ? "locked" : "busy");
        System.out.flush();
        System.in.read();
        lock.ifPresent(RunFolder.Lock::close);
    }

    /** Starts a JVM that holds dir's lock; returns once it does. Close its stdin (or destroy it) to release. */
    public static Process start(Path dir) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), dir.toString()).redirectErrorStream(true).start();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line = out.readLine();
        if (!"locked".equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException("the lock holder said: " + line);
        }
        return p;
    }
}
