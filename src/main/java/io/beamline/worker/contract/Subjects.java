package io.beamline.worker.contract;

/** NATS subjects and the queue group of SPEC §2. */
public final class Subjects {
    public static final String ASSIGN = "caf.exec.assign.v1";
    public static final String ACK = "caf.exec.assign.v1.ack";
    public static final String RESULT = "caf.exec.result.v1";
    public static final String DEAD_LETTER = "caf.exec.dlq.v1";
    public static final String CANCEL = "caf.exec.cancel.v1";
    public static final String APPROVAL_REQUESTED = "caf.human.approval.requested.v1";
    public static final String QUEUE_GROUP = "caf-workers";

    private Subjects() {
    }
}
