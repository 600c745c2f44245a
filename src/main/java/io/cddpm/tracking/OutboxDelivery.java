package io.cddpm.tracking;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background worker that empties the outbox: one delivery pass ({@link OutboxSender}) whenever
 * records are queued (or once a second), backing off exponentially up to retryMax while the server is
 * away, saying once when it goes away and once when it is back. One pass at a time (a lock), so a
 * flush from the caller's thread and the worker never deliver the same records twice; and one process
 * at a time (a lease in the outbox), so workers sharing a PostgreSQL state database do not either.
 */
final class OutboxDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxDelivery.class);
    private static final long IDLE_WAIT_MS = 1000;
    private static final long FIRST_BACKOFF_MS = 250;

    private final String trackingUri;
    private final OutboxSender sender;
    private final Runnable beforePass;
    private final BooleanSupplier lease;
    private final Duration retryMax;
    private final ReentrantLock delivering = new ReentrantLock();
    private final Object signal = new Object();
    private final Thread worker;
    private volatile boolean stopped;
    private boolean wakeUp;
    private boolean unreachable;

    /**
     * @param beforePass runs before every pass, e.g. to move buffered records into the outbox
     * @param lease      takes or renews the right to deliver (processes sharing the outbox take turns); a pass
     *                   runs only while it says yes
     */
    OutboxDelivery(String trackingUri, OutboxSender sender, Runnable beforePass, BooleanSupplier lease, Duration retryMax) {
        this.trackingUri = trackingUri;
        this.sender = sender;
        this.beforePass = beforePass;
        this.lease = lease;
        this.retryMax = retryMax;
        this.worker = new Thread(this::loop, "cddpm-mlflow-outbox");
        worker.setDaemon(true);
    }

    void start() {
        worker.start();
    }

    /** Asks the worker for a pass now. */
    void wake() {
        synchronized (signal) {
            wakeUp = true;
            signal.notifyAll();
        }
    }

    /**
     * Delivers everything pending, retrying until timeout.
     *
     * @param pending how many records still wait (read after each pass)
     * @return true when nothing is left pending
     */
    boolean flush(Duration timeout, IntSupplier pending) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoff = 200;
        while (true) {
            long left = deadline - System.nanoTime();
            if (deliverOnce(Math.max(0, left)) && pending.getAsInt() == 0) {
                return true;
            }
            left = deadline - System.nanoTime();
            if (left <= 0) {
                return pending.getAsInt() == 0;
            }
            sleep(Math.min(backoff, left / 1_000_000 + 1));
            backoff = Math.min(backoff * 2, retryMax.toMillis());
        }
    }

    /** Stops the worker after its current pass (waiting at most maxWait for it). */
    void stop(Duration maxWait) {
        stopped = true;
        wake();
        try {
            worker.join(maxWait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One delivery pass; false when the server could not be reached (or failed) part-way, or another
     * pass (e.g. one stuck on a server that stopped answering) still held the outbox after waitNanos.
     */
    private boolean deliverOnce(long waitNanos) {
        try {
            if (!delivering.tryLock(waitNanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            beforePass.run();
            if (!lease.getAsBoolean()) {
                return false; // another process delivers this server's records now; try again later
            }
            int n = sender.deliverPending();
            if (unreachable) {
                unreachable = false;
                LOG.info("MLflow at {} is reachable again; waiting tracking records delivered", trackingUri);
            } else if (n > 0) {
                LOG.debug("delivered {} tracking records", n);
            }
            return true;
        } catch (DeliveryException e) {
            if (!unreachable) {
                unreachable = true;
                LOG.warn("MLflow at {} is unreachable or failing; tracking records wait in the outbox and will be"
                        + " sent when it is back ({})", trackingUri, e.getMessage());
            }
            return false;
        } catch (SQLException | RuntimeException e) {
            LOG.error("tracking: delivery failed; will retry: {}", e.toString(), e);
            return false;
        } finally {
            delivering.unlock();
        }
    }

    private void loop() {
        long backoff = FIRST_BACKOFF_MS;
        while (!stopped) {
            boolean ok = deliverOnce(Long.MAX_VALUE);
            backoff = ok ? FIRST_BACKOFF_MS : Math.min(backoff * 2, retryMax.toMillis());
            synchronized (signal) {
                long wait = ok ? IDLE_WAIT_MS : backoff;
                if (!wakeUp || !ok) {
                    try {
                        signal.wait(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wakeUp = false;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(Math.max(1, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
