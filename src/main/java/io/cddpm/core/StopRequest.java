package io.cddpm.core;

/**
 * The process-wide, cooperative request to stop (SIGTERM, Ctrl-C): set once by the command line's
 * signal handler, read by long work at its safe points (the trainer between two steps, the pipeline
 * between its stages and trials), which then save their progress and unwind with {@link Stopped}. Nothing
 * is killed mid-write: what stops, stops at a boundary where its state is on disk.
 */
public final class StopRequest {
    private static volatile String reason;

    private StopRequest() {}

    /** Asks everything running to stop at its next safe point; why is shown in messages (e.g. "SIGTERM"). */
    public static void request(String why) {
        reason = why == null ? "stop requested" : why;
    }

    public static boolean requested() {
        return reason != null;
    }

    /** Why the stop was requested, or null. */
    public static String reason() {
        return reason;
    }

    /** Throws {@link Stopped} when a stop was requested: call at a safe point. */
    public static void check() {
        String r = reason;
        if (r != null) {
            throw new Stopped(r);
        }
    }

    /** Forgets a request (for tests that request a stop in-process). */
    public static void reset() {
        reason = null;
    }

    /** Whether t or one of its causes is a {@link Stopped}. */
    public static boolean isStop(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof Stopped) {
                return true;
            }
        }
        return false;
    }

    /** Thrown at a safe point after a stop request; the work up to that point is saved. */
    public static final class Stopped extends RuntimeException {
        public Stopped(String why) {
            super("stopped (" + why + ")");
        }
    }
}
