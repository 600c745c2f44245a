package io.cddpm.cli;

import io.cddpm.core.StopRequest;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and Ctrl-C (SIGINT) for a long command: the first one asks everything to stop at its next safe
 * point ({@link StopRequest}: the trainer checkpoints between two steps, the pipeline starts nothing new)
 * and the command then winds down in order (tracker flushed, local MLflow server stopped, state database
 * closed last) and exits 130. A signal handler, not a shutdown hook: during a shutdown hook the JVM is
 * already exiting (with 143) and H2, logback and the tracker would be torn down under a training that
 * still runs. A second signal, or a wind-down longer than the grace period
 * ({@code -Dcddpm.stop.grace.seconds}, default 45), exits at once with 130 (the shutdown hooks still stop
 * a local MLflow server; the last checkpoint and the outbox are safe on disk either way).
 */
final class Interrupts implements AutoCloseable {
    static final String GRACE_PROPERTY = "cddpm.stop.grace.seconds";
    private static final List<String> SIGNALS = List.of("TERM", "INT");

    /** How long the shutdown hooks of an exit may take before the JVM halts. */
    static final int HALT_SECONDS = 10;

    private final List<SignalHandler> previous = new ArrayList<>();
    private boolean exiting;
    private final Runnable onStop;

    private Interrupts(Runnable onStop) {
        this.onStop = onStop;
    }

    /** Handles SIGTERM and SIGINT until closed. */
    static Interrupts install() {
        return install(() -> {});
    }

    /** Handles SIGTERM and SIGINT until closed; onStop runs (on the signal thread) at the first one. */
    static Interrupts install(Runnable onStop) {
        Interrupts i = new Interrupts(onStop);
        for (String name : SIGNALS) {
            i.previous.add(Signal.handle(new Signal(name), i::handle));
        }
        return i;
    }

    private synchronized void handle(Signal signal) {
        String name = "SIG" + signal.getName();
        if (StopRequest.requested()) {
            System.err.println("cddpm: " + name + " again: exiting now");
            exitNow();
            return;
        }
        StopRequest.request(name);
        System.err.println("cddpm: " + name + ": stopping after the current training step (progress is saved; " + name
                + " again exits at once)");
        onStop.run();
        long grace = Long.getLong(GRACE_PROPERTY, 45);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(grace * 1000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("cddpm: did not stop within " + grace + " s of " + name + "; exiting now");
            exitNow();
        }, "cddpm-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * Exits with 130, running the shutdown hooks (they stop a local MLflow server), but halts when they
     * have not finished within {@link #HALT_SECONDS}, or at once when an exit is already under way: a
     * hook can wait on work that ignores the stop (Camel's shutdown waits for the exchange in flight),
     * and a second {@code System.exit} would block behind the first for as long.
     */
    private synchronized void exitNow() {
        if (exiting) {
            Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
        }
        exiting = true;
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(HALT_SECONDS * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("cddpm: shutdown did not finish within " + HALT_SECONDS + " s; halting");
            Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
        }, "cddpm-halt");
        halter.setDaemon(true);
        halter.start();
        new Thread(() -> System.exit(ExitCodes.INTERRUPTED), "cddpm-exit").start();
    }

    /** Puts the earlier handlers back. */
    @Override
    public void close() {
        for (int i = 0; i < SIGNALS.size(); i++) {
            Signal.handle(new Signal(SIGNALS.get(i)), previous.get(i));
        }
    }
}
