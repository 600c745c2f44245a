package io.cddpm.tracking;

/**
 * A record could not be delivered. Transient (server down, 5xx, 429, I/O): it stays in the outbox
 * and is retried. Permanent (MLflow refused the request, a file to upload is gone): it is marked
 * failed with this message and never retried.
 */
final class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean permanent;

    DeliveryException(String message, boolean permanent, Throwable cause) {
        super(message, cause);
        this.permanent = permanent;
    }

    boolean permanent() {
        return permanent;
    }
}
