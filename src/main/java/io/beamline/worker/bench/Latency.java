package io.beamline.worker.bench;

import org.HdrHistogram.Histogram;

/** Latency percentiles of one kind of outcome, in milliseconds (microsecond resolution). Immutable. */
record Latency(long count, double p50, double p90, double p99, double p999, double max) {

    static Latency of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return new Latency(0, 0, 0, 0, 0, 0);
        }
        return new Latency(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
                ms(micros.getValueAtPercentile(90)), ms(micros.getValueAtPercentile(99)),
                ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()));
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
