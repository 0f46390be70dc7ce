package io.beamline.worker.resilience;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A retry budget per destination across the whole worker, as Envoy and gRPC have: within a
 * sliding window, retries to one destination may add at most {@code ratio} on top of its first
 * attempts (plus a small floor so that a quiet destination can still retry). A failing
 * dependency therefore sees at most (1 + ratio) times its normal traffic, never a retry storm.
 * The window is two half-windows rotated by time from the injected ticker. Thread-safe: each
 * destination's window has its own lock.
 */
public final class RetryBudget {
    private static final int MAX_DESTINATIONS = 10_000;

    private final double ratio;
    private final int minRetries;
    private final long halfWindowNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public RetryBudget(double ratio, int minRetries, Duration window, LongSupplier nanoTime) {
        this.ratio = ratio;
        this.minRetries = minRetries;
        this.halfWindowNanos = window.toNanos() / 2;
        this.nanoTime = nanoTime;
    }

    /** Records a first attempt to {@code destination}. */
    public void firstAttempt(String destination) {
        Window window = window(destination);
        synchronized (window) {
            window.roll(nanoTime.getAsLong(), halfWindowNanos);
            window.firstAttempts++;
        }
    }

    /** Takes one retry from the budget; false when the destination has used its share. */
    public boolean tryRetry(String destination) {
        Window window = window(destination);
        synchronized (window) {
            window.roll(nanoTime.getAsLong(), halfWindowNanos);
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
        Window window = windows.get(destination);
        if (window != null) {
            return window;
        }
        if (windows.size() >= MAX_DESTINATIONS) {
            windows.clear();  // a flood of new destinations: start counting afresh rather than grow
        }
        return windows.computeIfAbsent(destination, d -> new Window(nanoTime.getAsLong()));
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

        /** Moves the window forward: the current half becomes the previous one, or both reset. */
        void roll(long now, long halfWindowNanos) {
            if (now - startedNanos >= 2 * halfWindowNanos) {
                previousFirstAttempts = 0;
                previousRetries = 0;
            } else if (now - startedNanos >= halfWindowNanos) {
                previousFirstAttempts = firstAttempts;
                previousRetries = retries;
            } else {
                return;
            }
            startedNanos = now;
            firstAttempts = 0;
            retries = 0;
        }
    }
}
