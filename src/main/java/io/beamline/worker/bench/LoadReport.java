package io.beamline.worker.bench;

import io.beamline.worker.contract.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a load run and its two renderings: text for people and one JSON line for
 * scripts (bench/run). The JSON keeps the headline figures at the top level
 * ({@code throughput_per_s}, {@code result_p99_ms}, {@code ok}, ...) so a shell can pick them out
 * without a JSON tool. {@code cpuNanos} is the load generator's own CPU time in the measured
 * phase (-1 when unknown). Immutable.
 */
record LoadReport(LoadgenConfig config, String runId, Sender.Sent sent, PhaseOutcome measured, Violations warmup,
                  long cpuNanos) {

    /** True when every assignment, warm-up included, got exactly one outcome. */
    boolean ok() {
        return sent.count() > 0 && measured.violations().none() && warmup.none();
    }

    String json() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("label", config.label());
        line.put("run_id", runId);
        line.put("timestamp_ms", System.currentTimeMillis());
        line.put("ok", ok());
        line.put("sent", sent.count());
        line.put("rate_offered_per_s", config.rate());
        line.put("rate_sent_per_s", round(sent.seconds() > 0 ? sent.count() / sent.seconds() : 0));
        line.put("throughput_per_s", round(measured.throughputPerSecond()));
        line.put("seconds", round(measured.seconds()));
        latency(line, "ack", measured.ack());
        latency(line, "result", measured.result());
        line.put("acks", measured.acks());
        line.put("results", measured.results());
        line.put("dead_letters", measured.deadLetters());
        line.put("violations", violations(measured.violations()));
        line.put("warmup_violations", warmup.total());
        line.put("foreign_messages", measured.foreignMessages());
        if (cpuNanos >= 0 && sent.count() > 0) {
            line.put("loadgen_cpu_us_per_assignment", round(cpuNanos / 1000.0 / sent.count()));
        }
        line.put("cancels_sent", sent.cancels());
        line.put("mix", config.mix().weights());
        line.put("tenants", config.tenants());
        line.put("payload_bytes", config.payloadBytes());
        line.put("max_in_flight", config.maxInFlight());
        line.put("warmup", config.warmup());
        return new String(Json.write(line), StandardCharsets.UTF_8);
    }

    String text() {
        PhaseOutcome m = measured;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "loadgen %s (run %s): %s%n", config.label(), runId, ok() ? "OK" : "FAILED"));
        out.append(String.format(Locale.ROOT, "  sent        %d in %.2f s (offered %s/s, sent %.0f/s), %d cancels%n", sent.count(),
                sent.seconds(), config.rate() > 0 ? String.format(Locale.ROOT, "%.0f", config.rate()) : "max",
                sent.seconds() > 0 ? sent.count() / sent.seconds() : 0, sent.cancels()));
        out.append(String.format(Locale.ROOT, "  throughput  %.0f results/s over %.2f s%n", m.throughputPerSecond(), m.seconds()));
        out.append(latencyLine("ack", m.ack())).append(latencyLine("result", m.result()));
        out.append("  acks        ").append(m.acks()).append('\n');
        out.append("  results     ").append(m.results()).append('\n');
        out.append("  dead letters ").append(m.deadLetters()).append('\n');
        out.append("  violations  ").append(violations(m.violations())).append(", warm-up ").append(warmup.total()).append('\n');
        return out.toString();
    }

    private static String latencyLine(String kind, Latency l) {
        return String.format(Locale.ROOT, "  %-6s ms   p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (n=%d)%n",
                kind, l.p50(), l.p90(), l.p99(), l.p999(), l.max(), l.count());
    }

    private static void latency(Map<String, Object> line, String kind, Latency l) {
        line.put(kind + "_p50_ms", l.p50());
        line.put(kind + "_p90_ms", l.p90());
        line.put(kind + "_p99_ms", l.p99());
        line.put(kind + "_p999_ms", l.p999());
        line.put(kind + "_max_ms", l.max());
    }

    private static Map<String, Long> violations(Violations v) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("missing_ack", v.missingAck());
        counts.put("duplicate_ack", v.duplicateAck());
        counts.put("missing_result", v.missingResult());
        counts.put("duplicate_result", v.duplicateResult());
        counts.put("result_after_rejection", v.resultAfterRejection());
        counts.put("result_before_ack", v.resultBeforeAck());
        return counts;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
