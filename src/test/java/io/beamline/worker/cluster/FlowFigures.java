package io.beamline.worker.cluster;

import java.time.Duration;
import java.util.Arrays;

/**
 * What a disruption (a node killed or paused) did to the flow of results as the Router sees
 * it: throughput before and after, how long results stopped, and when the last one came.
 * Printed by the cluster tests for docs/benchmarks.md. Immutable.
 *
 * @param beforePerSecond distinct results per second in the five seconds before the disruption
 * @param stallMs         the longest time without a new result that began within 30 s of the disruption
 * @param recoveryMs      from the disruption to the end of that stall: results flow again
 * @param afterPerSecond  distinct results per second from recovery to the last result
 * @param lastResultMs    from the disruption to the last result
 * @param timeline        distinct results in each second of the 40 s after the disruption
 */
record FlowFigures(double beforePerSecond, long stallMs, long recoveryMs, double afterPerSecond, long lastResultMs,
                   long[] timeline) {
    private static final Duration BEFORE = Duration.ofSeconds(5);
    private static final Duration WATCHED = Duration.ofSeconds(30);

    static FlowFigures of(ResultFlow flow, long disruptedAt) {
        double before = flow.perSecond(Math.max(flow.firstArrival(), disruptedAt - BEFORE.toNanos()), disruptedAt);
        long last = flow.lastArrival();
        ResultFlow.Silence stall = flow.longestSilence(disruptedAt, disruptedAt + WATCHED.toNanos());
        return new FlowFigures(before, stall.nanos() / 1_000_000, (stall.end() - disruptedAt) / 1_000_000,
                flow.perSecond(stall.end(), last + 1), (last - disruptedAt) / 1_000_000, flow.perSecondAfter(disruptedAt, 40));
    }

    String describe(String scenario) {
        return ("%s: before %.0f results/s; longest stall %d ms, results flow again %d ms after the disruption at %.0f results/s;"
                + " last result after %d ms%n%s: results per second from the disruption on: %s")
                .formatted(scenario, beforePerSecond, stallMs, recoveryMs, afterPerSecond, lastResultMs, scenario,
                        Arrays.toString(timeline));
    }
}
