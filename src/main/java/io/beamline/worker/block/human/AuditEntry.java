package io.beamline.worker.block.human;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of an approval's audit trail: a decision attempt (accepted or refused, and why) or a
 * system event (expiry, cancellation). Immutable.
 *
 * @param approver who claimed to decide; absent when the request did not say, or
 *                 {@code system:timeout} / {@code system:cancel} for system events
 * @param approved what they asked for; absent when the request did not say
 * @param outcome  {@code accepted}, or the refusal's wire name ({@code wrong_token}, ...)
 * @param detail   the human-readable reason
 */
public record AuditEntry(
        long at,
        String approver,
        Boolean approved,
        boolean accepted,
        String outcome,
        String detail) {
}
