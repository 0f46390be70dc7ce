package io.beamline.worker.block.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/**
 * Reads a {@code Retry-After} header (RFC 9110 §10.2.3): either a number of seconds or an HTTP
 * date. The result is the wait in milliseconds, never negative. Stateless.
 */
final class RetryAfter {
    /** A server asking for more than a day is not asking for a retry of this step. */
    private static final long MAX_SECONDS = Duration.ofDays(1).toSeconds();

    private RetryAfter() {
    }

    static OptionalLong millis(String value, Instant now) {
        String trimmed = value.trim();
        if (trimmed.matches("\\d{1,10}")) {
            return OptionalLong.of(Math.min(Long.parseLong(trimmed), MAX_SECONDS) * 1000);
        }
        try {
            Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            long wait = Duration.between(now, at).toMillis();
            return OptionalLong.of(Math.clamp(wait, 0, MAX_SECONDS * 1000));
        } catch (DateTimeParseException e) {
            return OptionalLong.empty();
        }
    }
}
