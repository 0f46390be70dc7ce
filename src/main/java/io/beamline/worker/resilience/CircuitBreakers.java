package io.beamline.worker.resilience;

import dev.failsafe.CircuitBreaker;
import io.beamline.worker.contract.StepResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * One Failsafe circuit breaker per destination (SPEC §5, CP2.5): opens after N consecutive
 * destination failures, lets a trial call through after the delay (half-open) and closes after M
 * successes. Bounded: beyond {@value #MAX_DESTINATIONS} destinations the closed breakers are
 * forgotten, so tenant-chosen URLs cannot grow it without limit. Thread-safe, lock-free to read.
 */
public final class CircuitBreakers {
    private static final int MAX_DESTINATIONS = 10_000;

    private final ResilienceConfig config;
    private final BiConsumer<String, CircuitBreaker.State> stateListener;
    private final Map<String, CircuitBreaker<StepResult>> breakers = new ConcurrentHashMap<>();

    /** {@code stateListener} hears every state change (destination, new state); it must be fast. */
    public CircuitBreakers(ResilienceConfig config, BiConsumer<String, CircuitBreaker.State> stateListener) {
        this.config = config;
        this.stateListener = stateListener;
    }

    public CircuitBreaker<StepResult> forDestination(String destination) {
        CircuitBreaker<StepResult> breaker = breakers.get(destination);  // lock-free on the hot path
        if (breaker != null) {
            return breaker;
        }
        if (breakers.size() >= MAX_DESTINATIONS) {
            // tenant-chosen URLs must not grow this without bound: forget the closed ones
            breakers.values().removeIf(CircuitBreaker::isClosed);
        }
        return breakers.computeIfAbsent(destination, this::create);
    }

    /** The breaker of a destination, if one was ever created. */
    public Optional<CircuitBreaker<StepResult>> existing(String destination) {
        return Optional.ofNullable(breakers.get(destination));
    }

    /** How long until an open breaker lets a call through; empty when it is not open. */
    public Optional<Duration> openFor(String destination) {
        return existing(destination).filter(CircuitBreaker::isOpen).map(CircuitBreaker::getRemainingDelay);
    }

    /** How many destinations are behind an open breaker now. */
    public int openCount() {
        return (int) breakers.values().stream().filter(CircuitBreaker::isOpen).count();
    }

    private CircuitBreaker<StepResult> create(String destination) {
        return CircuitBreaker.<StepResult>builder()
                .handleResultIf(ErrorClassification::isDestinationFailure)
                .withFailureThreshold(config.breakerFailures())
                .withSuccessThreshold(config.breakerSuccesses())
                .withDelay(config.breakerDelay())
                .onOpen(e -> stateListener.accept(destination, CircuitBreaker.State.OPEN))
                .onHalfOpen(e -> stateListener.accept(destination, CircuitBreaker.State.HALF_OPEN))
                .onClose(e -> stateListener.accept(destination, CircuitBreaker.State.CLOSED))
                .build();
    }
}
