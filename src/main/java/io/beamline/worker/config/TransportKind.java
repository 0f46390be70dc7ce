package io.beamline.worker.config;

/** {@code --transport}: core NATS with a queue group, or a durable JetStream consumer (SPEC §7). */
public enum TransportKind {
    core,
    jetstream
}
