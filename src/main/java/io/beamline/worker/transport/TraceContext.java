package io.beamline.worker.transport;

import io.nats.client.Message;

/** The W3C {@code traceparent} header of a NATS message, or "" when it has none. */
final class TraceContext {
    private TraceContext() {
    }

    static String traceparent(Message message) {
        if (!message.hasHeaders()) {
            return "";
        }
        String value = message.getHeaders().getFirst("traceparent");
        return value == null ? "" : value;
    }
}
