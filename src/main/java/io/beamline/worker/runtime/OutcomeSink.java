package io.beamline.worker.runtime;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;

/**
 * Where the runtime sends what it decides: acks, results and dead letters. Implemented by the
 * NATS publisher ({@code serve}) and the JSON-lines writer ({@code run}). Implementations are
 * thread-safe; a call returns once the message is handed to the transport.
 */
public interface OutcomeSink {

    void ack(ExecAssignmentAck ack);

    void result(ExecResult result);

    void deadLetter(DeadLetter letter);
}
