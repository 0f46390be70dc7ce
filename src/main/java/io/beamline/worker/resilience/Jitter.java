package io.beamline.worker.resilience;

import java.util.Locale;
import java.util.Optional;

/**
 * How a backoff delay is randomised so that steps failing together do not retry in lock-step:
 * {@code full} picks uniformly in [0, d], {@code equal} in [d/2, d], {@code none} keeps d.
 */
public enum Jitter {
    NONE, FULL, EQUAL;

    public static Optional<Jitter> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(text.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    long apply(long delayMs, java.util.random.RandomGenerator random) {
        return switch (this) {
            case NONE -> delayMs;
            case FULL -> delayMs <= 0 ? 0 : random.nextLong(delayMs + 1);
            case EQUAL -> delayMs / 2 + (delayMs <= 1 ? 0 : random.nextLong(delayMs / 2 + 1));
        };
    }
}
