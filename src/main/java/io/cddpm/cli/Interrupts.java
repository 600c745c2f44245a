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

    private final List<SignalHandler> previous = new ArrayList<>();
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
            new Thread(() -> System.exit(ExitCodes.INTERRUPTED), "cddpm-exit").start();
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
            System.exit(ExitCodes.INTERRUPTED);
        }, "cddpm-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Puts the earlier handlers back. */
    @Override
    public void close() {
        for (int i = 0; i < SIGNALS.size(); i++) {
            Signal.handle(new Signal(SIGNALS.get(i)), previous.get(i));
        }
    }
}
