package io.beamline.worker.bench;

/**
 * Breaches of "every assignment gets exactly one outcome": an accepted assignment must get
 * exactly one result, a rejected one none, and every one exactly one ack, published before its
 * result. Counted per assignment, except {@code resultBeforeAck}, counted per result. Immutable.
 */
record Violations(long missingAck, long duplicateAck, long missingResult, long duplicateResult,
                  long resultAfterRejection, long resultBeforeAck) {

    boolean none() {
        return total() == 0;
    }

    long total() {
        return missingAck + duplicateAck + missingResult + duplicateResult + resultAfterRejection + resultBeforeAck;
    }
}
