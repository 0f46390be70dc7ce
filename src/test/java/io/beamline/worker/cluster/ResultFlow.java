package io.beamline.worker.cluster;

import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each assignment's first result arrived, as a Router's core subscription to
 * {@code caf.exec.result.v1} sees it: how fast results flow, when they stopped, when they
 * resumed. Repeats of a result (a redelivered step answered again) count once. Times are
 * {@link System#nanoTime()}. Thread-safe.
 */
final class ResultFlow implements AutoCloseable {
    private final Map<String, Long> firstArrival = new ConcurrentHashMap<>();
    private final Connection connection;
    private final Dispatcher dispatcher;

    ResultFlow(Connection connection) throws Exception {
        this.connection = connection;
        this.dispatcher = connection.createDispatcher(message -> {
            long now = System.nanoTime();
            try {
                firstArrival.putIfAbsent(Json.readTree(message.getData()).path("assignment_id").asText(), now);
            } catch (IOException notJson) {
                // not a result this test published; ignored
            }
        });
        dispatcher.subscribe(Subjects.RESULT);
        connection.flush(Duration.ofSeconds(10));
    }

    int distinct() {
        return firstArrival.size();
    }

    boolean answered(String assignmentId) {
        return firstArrival.containsKey(assignmentId);
    }

    /** Distinct results that first arrived in [from, to). */
    long countBetween(long fromNanos, long toNanos) {
        return Arrays.stream(arrivals()).filter(t -> t >= fromNanos && t < toNanos).count();
    }

    /** Results per second in [from, to). */
    double perSecond(long fromNanos, long toNanos) {
        return toNanos <= fromNanos ? 0 : countBetween(fromNanos, toNanos) * 1e9 / (toNanos - fromNanos);
    }

    /** Distinct results in each of the {@code seconds} seconds that follow {@code from}. */
    long[] perSecondAfter(long fromNanos, int seconds) {
        long[] counts = new long[seconds];
        for (long t : arrivals()) {
            long second = (t - fromNanos) / 1_000_000_000L;
            if (t >= fromNanos && second < seconds) {
                counts[(int) second]++;
            }
        }
        return counts;
    }

    long firstArrival() {
        return Arrays.stream(arrivals()).min().orElseThrow();
    }

    long lastArrival() {
        return Arrays.stream(arrivals()).max().orElseThrow();
    }

    /** The longest time without a new result that began between {@code from} and {@code until}. */
    Silence longestSilence(long fromNanos, long untilNanos) {
        long[] sorted = Arrays.stream(arrivals()).filter(t -> t >= fromNanos).sorted().toArray();
        Silence longest = new Silence(fromNanos, fromNanos);
        long previous = fromNanos;
        for (long t : sorted) {
            if (previous > untilNanos) {
                break;
            }
            if (t - previous > longest.nanos()) {
                longest = new Silence(previous, t);
            }
            previous = t;
        }
        return longest;
    }

    /** A time without new results, from {@code start} to {@code end} ({@link System#nanoTime()}). */
    record Silence(long start, long end) {
        long nanos() {
            return end - start;
        }
    }

    private long[] arrivals() {
        return firstArrival.values().stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public void close() {
        connection.closeDispatcher(dispatcher);
    }
}
