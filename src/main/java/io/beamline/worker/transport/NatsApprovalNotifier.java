package io.beamline.worker.transport;

import io.beamline.worker.block.human.ApprovalNotifier;
import io.beamline.worker.block.human.ApprovalRequested;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;

/**
 * Publishes approval requests on {@code caf.human.approval.requested.v1} for a notifier service
 * to deliver (mail, chat). Throws when the connection cannot take the message, so the approval
 * service retries later. Thread-safe.
 */
public final class NatsApprovalNotifier implements ApprovalNotifier {
    private final Connection connection;

    public NatsApprovalNotifier(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void requested(ApprovalRequested notification) {
        if (connection.getStatus() == Connection.Status.CLOSED) {
            throw new IllegalStateException("NATS connection closed");
        }
        Uninterrupted.run(() -> connection.publish(Subjects.APPROVAL_REQUESTED, Json.write(notification)));
    }
}
