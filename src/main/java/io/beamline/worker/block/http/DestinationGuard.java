package io.beamline.worker.block.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * Applies the {@link DestinationPolicy} to a URL before any connection is made: by name first,
 * then by every address the name resolves to. The lookup runs on {@code executor} so that it is
 * bounded by the step's deadline and abandoned on interruption (a blocking DNS lookup ignores
 * both). Thread-safe.
 */
final class DestinationGuard {
    private final DestinationPolicy policy;
    private final Executor executor;

    DestinationGuard(DestinationPolicy policy, Executor executor) {
        this.policy = policy;
        this.executor = executor;
    }

    /**
     * Why a request to {@code uri} must not be sent, or empty when it may.
     *
     * @throws UnknownHostException when the host does not resolve
     */
    Optional<String> refusal(URI uri, Deadline deadline) throws IOException, InterruptedException, TimeoutException {
        String host = uri.getHost();
        Optional<String> byName = policy.refusalByName(host);
        if (byName.isPresent()) {
            return byName;
        }
        List<InetAddress> addresses = deadline.await(CompletableFuture.supplyAsync(() -> resolve(host), executor));
        return policy.refusal(host, addresses);
    }

    private static List<InetAddress> resolve(String host) {
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            throw new CompletionException(e);
        }
    }
}
