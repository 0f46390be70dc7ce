package io.beamline.worker.block.human;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an approval's notification until it is delivered once. Each attempt issues fresh
 * tokens (only their hashes are stored, so a link cannot be rebuilt later), which also means a
 * link from an attempt that failed half-way is worthless. A failed attempt is retried with
 * backoff while the approval is pending.
 *
 * <p>The store keeps the base URL the delivered links start with. A worker that resumes an
 * approval notified with another base (workers sharing a data dir came back in another order
 * and swapped stores, or {@code --public-url} changed) notifies again, with fresh tokens: the
 * old links point at a worker that does not serve the approval. Thread-safe; one attempt per
 * approval at a time.
 */
final class ApprovalNotifications {
    private static final Logger log = LoggerFactory.getLogger("approvals");
    private static final long FIRST_RETRY_MS = 1_000;
    private static final long MAX_RETRY_MS = 60_000;

    private final ApprovalStore store;
    private final ApprovalNotifier notifier;
    private final String publicUrl;
    private final ScheduledExecutorService scheduler;
    private final BooleanSupplier closed;
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

    ApprovalNotifications(ApprovalStore store, ApprovalNotifier notifier, String publicUrl,
                          ScheduledExecutorService scheduler, BooleanSupplier closed) {
        this.store = store;
        this.notifier = notifier;
        this.publicUrl = publicUrl;
        this.scheduler = scheduler;
        this.closed = closed;
    }

    /** Notifies the approvers of {@code id} unless that was done before. */
    void ensureNotified(String id) {
        attempt(id, 0);
    }

    private void attempt(String id, int failures) {
        if (closed.getAsBoolean() || !inProgress.add(id)) {
            return;
        }
        try {
            Optional<ApprovalRequested> request = store.transaction(() -> {
                Optional<Approval> approval = store.find(id).filter(Approval::isPending);
                Optional<String> sentWith = store.notifiedUrl(id);
                // "": notified by a worker that did not record the base; taken to be this one's
                if (approval.isEmpty() || sentWith.filter(url -> url.isEmpty() || url.equals(publicUrl)).isPresent()) {
                    return Optional.<ApprovalRequested>empty();
                }
                sentWith.ifPresent(url -> log.info("approvers of {} were sent links to {}; this worker is reached at {}:"
                        + " notifying them again with new links", id, url, publicUrl));
                Map<String, String> tokens = new LinkedHashMap<>();
                Map<String, byte[]> hashes = new LinkedHashMap<>();
                for (String approver : approval.get().approvers()) {
                    String token = Tokens.generate();
                    tokens.put(approver, token);
                    hashes.put(approver, Tokens.hash(token));
                }
                store.replaceTokens(id, hashes);
                return Optional.of(request(approval.get(), tokens));
            });
            if (request.isPresent()) {
                notifier.requested(request.get());
                store.markNotified(id, publicUrl);
            }
        } catch (RuntimeException e) {
            long delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(failures, 6));
            log.warn("cannot notify the approvers of {}; trying again in {} ms: {}", id, delay, e.toString());
            try {
                scheduler.schedule(() -> attempt(id, failures + 1), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                log.warn("scheduler stopped; approvers of {} are notified at the next start", id);
            }
        } finally {
            inProgress.remove(id);
        }
    }

    private ApprovalRequested request(Approval approval, Map<String, String> tokens) {
        List<ApprovalRequested.Link> links = new ArrayList<>();
        tokens.forEach((approver, token) -> links.add(new ApprovalRequested.Link(approver, link(approval.id(), approver, token))));
        return new ApprovalRequested(approval.id(), approval.id(), approval.tenantId(), approval.traceId(),
                approval.prompt(), approval.approvers(), approval.requiredApprovals(), approval.deadline(), links);
    }

    /** {@code <public-url>/approvals/ui?id=..&approver=..&token=..}: the approver's decision page. */
    String link(String id, String approver, String token) {
        return publicUrl + "/approvals/ui?id=" + encode(id) + "&approver=" + encode(approver) + "&token=" + token;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
