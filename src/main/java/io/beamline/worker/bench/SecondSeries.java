package io.beamline.worker.bench;

import io.beamline.worker.contract.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A phase of a load run second by second ({@code loadgen --series-file}): for each elapsed
 * second since {@code startNanos}, how many assignments were sent, acked (accepted, rejected by
 * code and reason), answered (by status), answered twice and dead-lettered, and the latency
 * percentiles of the results that arrived in that second. Chaos and overload scripts read it to
 * see throughput drop and come back; bench/plot draws it. Seconds with no event are written as
 * zeros, so an outage shows as a gap in throughput rather than as a missing line.
 *
 * <p>Thread-safety: {@link #sent} is for the one sender thread and counts without a lock (the
 * count of the current second is handed over when the second changes); the dispatcher's events
 * and {@link #lines} take this object's lock. {@link #lines} must be called on the sender's
 * thread after sending ended, so the last second's sends are included.
 */
final class SecondSeries implements PhaseEvents {
    private final long startNanos;
    private final long startEpochMillis;
    private final List<Second> seconds = new ArrayList<>();
    private int sendingSecond;
    private long sentThisSecond;

    SecondSeries(long startNanos, long startEpochMillis) {
        this.startNanos = startNanos;
        this.startEpochMillis = startEpochMillis;
    }

    /** Counts for one elapsed second. */
    private static final class Second {
        long sent;
        long accepted;
        final Map<String, Long> rejected = new TreeMap<>();
        final Map<String, Long> results = new TreeMap<>();
        long duplicateResults;
        final Map<String, Long> deadLetters = new TreeMap<>();
        final Histogram resultMicros = new Histogram(3);
    }

    @Override
    public void sent(long nowNanos) {
        int second = secondOf(nowNanos);
        if (second != sendingSecond) {
            handOverSent();
            sendingSecond = second;
        }
        sentThisSecond++;
    }

    @Override
    public synchronized void accepted(long nowNanos) {
        second(nowNanos).accepted++;
    }

    @Override
    public synchronized void rejected(long nowNanos, String key) {
        second(nowNanos).rejected.merge(key, 1L, Long::sum);
    }

    @Override
    public synchronized void result(long nowNanos, String key, long latencyMicros) {
        Second second = second(nowNanos);
        second.results.merge(key, 1L, Long::sum);
        second.resultMicros.recordValue(Math.max(0, latencyMicros));
    }

    @Override
    public synchronized void duplicateResult(long nowNanos) {
        second(nowNanos).duplicateResults++;
    }

    @Override
    public synchronized void deadLetter(long nowNanos, String reason) {
        second(nowNanos).deadLetters.merge(reason, 1L, Long::sum);
    }

    /** One JSON object per second, from second 0 to the last second with an event. */
    List<String> lines() {
        handOverSent();
        synchronized (this) {
            List<String> lines = new ArrayList<>(seconds.size());
            for (int i = 0; i < seconds.size(); i++) {
                lines.add(Json.writeString(line(i, seconds.get(i))));
            }
            return lines;
        }
    }

    /** Writes {@link #lines} to {@code file}, replacing it. */
    void write(Path file) throws IOException {
        Files.write(file, lines(), StandardCharsets.UTF_8);
    }

    private synchronized void handOverSent() {
        if (sentThisSecond > 0) {
            secondAt(sendingSecond).sent += sentThisSecond;
            sentThisSecond = 0;
        }
    }

    private Map<String, Object> line(int index, Second s) {
        Map<String, Object> line = new LinkedHashMap<>();
        long results = s.results.values().stream().mapToLong(Long::longValue).sum();
        line.put("second", index);
        line.put("epoch_ms", startEpochMillis + TimeUnit.SECONDS.toMillis(index));
        line.put("sent", s.sent);
        line.put("accepted", s.accepted);
        line.put("rejected", s.rejected.values().stream().mapToLong(Long::longValue).sum());
        line.put("rejected_by", s.rejected);
        line.put("results", results);
        line.put("results_by", s.results);
        line.put("duplicate_results", s.duplicateResults);
        line.put("dead_letters", s.deadLetters);
        line.put("result_p50_ms", millis(s.resultMicros, 50));
        line.put("result_p99_ms", millis(s.resultMicros, 99));
        line.put("result_max_ms", s.resultMicros.getTotalCount() == 0 ? 0.0 : s.resultMicros.getMaxValue() / 1000.0);
        return line;
    }

    private static double millis(Histogram micros, double percentile) {
        return micros.getTotalCount() == 0 ? 0.0 : micros.getValueAtPercentile(percentile) / 1000.0;
    }

    private Second second(long nowNanos) {
        return secondAt(secondOf(nowNanos));
    }

    private Second secondAt(int index) {
        while (seconds.size() <= index) {
            seconds.add(new Second());
        }
        return seconds.get(index);
    }

    /** Events before the start (a warm-up's late reply cannot reach here, but clocks are clocks) count in second 0. */
    private int secondOf(long nowNanos) {
        return (int) Math.max(0, TimeUnit.NANOSECONDS.toSeconds(nowNanos - startNanos));
    }
}
