package io.cddpm.tracking;

/**
 * One row of the outbox: a tracking record waiting to be sent.
 *
 * @param seq      delivery order (ascending)
 * @param uid      unique id of the record
 * @param runKey   the local run it belongs to
 * @param kind     what it asks MLflow to do
 * @param payload  JSON body (see {@link Payloads})
 * @param attempts how many delivery attempts started; more than 0 means an earlier attempt's outcome
 *                 is unknown, so a retry must not duplicate what may already have arrived
 */
record OutboxRecord(long seq, String uid, String runKey, RecordKind kind, String payload, int attempts) {}
