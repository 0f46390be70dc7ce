package io.beamline.worker.resilience;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A retry budget per destination across the whole worker, as Envoy and gRPC have: within a
 * sliding window, retries to one destination may add at most {@code ratio} on top of its first
 * attempts (plus a small floor so that a quiet destination can still retry). A failing
 * dependency therefore sees at most (1 + ratio) times its normal traffic, never a retry storm.
 * The window is two half-windows rotated by time from the injected ticker. Thread-safe.
 */
public final class RetryBudget {
    private static final int MAX_DESTINATIONS = 10_000;

    private final double ratio;
    private final int minRetries;
    private final long halfWindowNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > MAX_DESTINATIONS;
        }
    };

    public RetryBudget(double ratio, int minRetries, Duration window, LongSupplier nanoTime) {
        this.ratio = ratio;
        this.minRetries = minRetries;
        this.halfWindowNanos = window.toNanos() / 2;
        this.nanoTime = nanoTime;
    }

    /** Records a first attempt to {@code destination}. */
    public void firstAttempt(String destination) {
        synchronized (windows) {
            window(destination).firstAttempts++;
        }
    }

    /** Takes one retry from the budget; false when the destination has used its share. */
    public boolean tryRetry(String destination) {
        synchronized (windows) {
            Window window = window(destination);
            long firsts = window.firstAttempts + window.previousFirstAttempts;
            long retries = window.retries + window.previousRetries;
            if (retries >= minRetries && retries >= ratio * firsts) {
                return false;
            }
            window.retries++;
            return true;
        }
    }

    private Window window(String destination) {
        Window window = windows.computeIfAbsent(destination, d -> new Window(nanoTime.getAsLong()));
        long now = nanoTime.getAsLong();
        if (now - window.startedNanos >= 2 * halfWindowNanos) {
            window.previousFirstAttempts = 0;
            window.previousRetries = 0;
            window.rotate(now);
        } else if (now - window.startedNanos >= halfWindowNanos) {
            window.previousFirstAttempts = window.firstAttempts;
            window.previousRetries = window.retries;
            window.rotate(now);
        }
        return window;
    }

    private static final class Window {
        long startedNanos;
        long firstAttempts;
        long retries;
        long previousFirstAttempts;
        long previousRetries;

        Window(long startedNanos) {
            this.startedNanos = startedNanos;
        }

        void rotate(long now) {
            startedNanos = now;
            firstAttempts = 0;
            retries = 0;
        }
    }
}
