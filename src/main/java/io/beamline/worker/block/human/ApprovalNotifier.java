package io.beamline.worker.block.human;

/**
 * Tells approvers that an approval waits for them (in production: a NATS publish on
 * {@code caf.human.approval.requested.v1}). Implementations are thread-safe and should return
 * quickly; throwing means "not delivered", and the service tries again later with fresh tokens.
 */
@FunctionalInterface
public interface ApprovalNotifier {
    void requested(ApprovalRequested notification);
}
