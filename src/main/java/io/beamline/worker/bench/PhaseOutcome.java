package io.beamline.worker.bench;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one phase of a load run observed. {@code throughputPerSecond} counts distinct results
 * from the first send to the last result; {@code seconds} is that span. Counts are keyed
 * "accepted" / "rejected:REASON" (acks), "success" / "error:CODE" / "timeout" / "cancelled"
 * (results) and by reason (dead letters), and iterate in key order. Immutable.
 */
record PhaseOutcome(long sent, long settled, long resultsReceived, double throughputPerSecond, double seconds,
                    Latency ack, Latency result, Map<String, Long> acks, Map<String, Long> results,
                    Map<String, Long> deadLetters, long foreignMessages, Violations violations) {

    PhaseOutcome {
        acks = sorted(acks);
        results = sorted(results);
        deadLetters = sorted(deadLetters);
    }

    private static Map<String, Long> sorted(Map<String, Long> counts) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(counts));
    }
}
