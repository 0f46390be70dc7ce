package io.beamline.worker.runtime;

/**
 * Thrown by an {@link OutcomeSink} before it sends anything when an outcome's message is larger
 * than its transport carries (NATS' max_payload, 1 MiB by default). The publish would otherwise
 * fail, or the server drop it, and the step would have no result at all; the caller answers with
 * a result that says why instead.
 */
public final class OutcomeTooLargeException extends RuntimeException {
    private final long sizeBytes;
    private final long limitBytes;

    public OutcomeTooLargeException(long sizeBytes, long limitBytes) {
        super("the result's message of " + sizeBytes + " bytes is larger than the " + limitBytes
                + " bytes the NATS server accepts in one message");
        this.sizeBytes = sizeBytes;
        this.limitBytes = limitBytes;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
