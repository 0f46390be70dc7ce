package io.beamline.worker.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsProbe;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A Router stand-in that publishes assignments over core NATS at a steady rate and remembers
 * when it published each one ({@link System#nanoTime()}), so a test can tell which
 * assignments were in flight at a given moment. Thread-safe.
 */
final class SteadyPublisher implements AutoCloseable {
    private final NatsProbe router;
    private final IntFunction<ObjectNode> make;
    private final Map<String, Long> publishedAt = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("steady-publisher").daemon(true).factory());

    SteadyPublisher(NatsProbe router, IntFunction<ObjectNode> make) {
        this.router = router;
        this.make = make;
    }

    /** Publishes one assignment every {@code 1000 / perSecond} ms until {@link #close()}. */
    void start(int perSecond) {
        ticker.scheduleAtFixedRate(this::publishOne, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
    }

    private void publishOne() {
        ObjectNode assignment = make.apply(sequence.getAndIncrement());
        publishedAt.put(assignment.get("assignment_id").asText(), System.nanoTime());
        router.publish(Assignments.bytes(assignment));
    }

    int published() {
        return publishedAt.size();
    }

    /** Ids of the assignments published in [from, to). */
    List<String> publishedBetween(long fromNanos, long toNanos) {
        return publishedAt.entrySet().stream().filter(e -> e.getValue() >= fromNanos && e.getValue() < toNanos)
                .map(Map.Entry::getKey).toList();
    }

    List<String> all() {
        return List.copyOf(publishedAt.keySet());
    }

    @Override
    public void close() throws InterruptedException {
        ticker.shutdown();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
    }
}
