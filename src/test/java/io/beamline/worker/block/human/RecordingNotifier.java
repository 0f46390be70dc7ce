package io.beamline.worker.block.human;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Keeps every notification, so tests can follow the links approvers would receive. Thread-safe. */
final class RecordingNotifier implements ApprovalNotifier {
    private final List<ApprovalRequested> sent = new ArrayList<>();
    private final AtomicInteger failuresToInject = new AtomicInteger();

    @Override
    public synchronized void requested(ApprovalRequested notification) {
        if (failuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("notifier unavailable (injected)");
        }
        sent.add(notification);
    }

    /** The next {@code count} notifications fail as if the broker were down. */
    void failNext(int count) {
        failuresToInject.set(count);
    }

    synchronized List<ApprovalRequested> sent() {
        return List.copyOf(sent);
    }

    synchronized List<ApprovalRequested> sentFor(String approvalId) {
        return sent.stream().filter(n -> n.approvalId().equals(approvalId)).toList();
    }

    /** The decision link {@code approver} received last for {@code approvalId}. */
    synchronized String link(String approvalId, String approver) {
        List<ApprovalRequested> notifications = sentFor(approvalId);
        if (notifications.isEmpty()) {
            throw new AssertionError("no notification for " + approvalId);
        }
        return notifications.getLast().links().stream().filter(l -> l.approver().equals(approver))
                .findFirst().orElseThrow(() -> new AssertionError("no link for " + approver)).url();
    }

    /** The token in that link. */
    String token(String approvalId, String approver) {
        return QueryString.parse(URI.create(link(approvalId, approver)).getRawQuery()).get("token").orElseThrow();
    }
}
