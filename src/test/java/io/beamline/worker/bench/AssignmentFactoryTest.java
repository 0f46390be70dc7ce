package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.CancelRequest;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.Json;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AssignmentFactoryTest {
    private static final String PREFIX = "lg-run001-m-";
    private final AssignmentDecoder decoder = new AssignmentDecoder();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http.request", "fs.get", "fs.put", "fs.delete", "sql.query", "human.approval"})
    void everyBlockTypeMakesAnAssignmentTheWorkerAccepts(String type) {
        AssignmentFactory factory = new AssignmentFactory(PREFIX, JobMix.parse(type), 3, 0);

        ExecAssignment assignment = valid(factory.assignment(41));

        assertThat(assignment.assignmentId()).isEqualTo(PREFIX + "41");
        assertThat(assignment.job().blockType()).isEqualTo(type);
        assertThat(assignment.tenantId()).isEqualTo("bench-2");
    }

    @Test
    void httpRequestsGoToTheGivenUrl() {
        AssignmentFactory factory = new AssignmentFactory(PREFIX, JobMix.parse("http.request"), 1, 0,
                "http://127.0.0.1:8123/bench?x=1");

        ExecAssignment assignment = valid(factory.assignment(0));

        assertThat(new String(factory.assignment(0), java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"url\":\"http://127.0.0.1:8123/bench?x=1\"");
        assertThat(assignment.job().blockType()).isEqualTo("http.request");
    }

    @Test
    void theIdCarriesTheSequenceNumberBackInTheReplies() {
        AssignmentFactory factory = new AssignmentFactory(PREFIX, JobMix.parse("fs.get"), 1, 0);

        assertThat(JsonScan.sequence(factory.assignment(123_456), factory.idPrefix())).isEqualTo(123_456);
    }

    @Test
    void assignmentsRotateOverTheTenantsAndTheMix() {
        AssignmentFactory factory = new AssignmentFactory(PREFIX, JobMix.parse("fs.get=1,fs.put=1"), 2, 0);

        assertThat(LongStream.range(0, 4).mapToObj(seq -> valid(factory.assignment(seq)))
                .map(a -> a.tenantId() + " " + a.job().blockType()))
                .containsExactly("bench-0 fs.get", "bench-1 fs.put", "bench-0 fs.get", "bench-1 fs.put");
    }

    @Test
    void paddingBringsTheMessageToAboutTheRequestedSizeAndKeepsItValid() {
        AssignmentFactory factory = new AssignmentFactory(PREFIX, JobMix.parse("sql.query"), 1, 4096);

        byte[] message = factory.assignment(999_999);

        assertThat(message.length).isBetween(4096 - 16, 4096 + 16);
        valid(message);
    }

    @Test
    void aPaddingSmallerThanTheMessageAddsNothing() {
        AssignmentFactory unpadded = new AssignmentFactory(PREFIX, JobMix.parse("fs.get"), 1, 0);
        AssignmentFactory tiny = new AssignmentFactory(PREFIX, JobMix.parse("fs.get"), 1, 10);

        assertThat(tiny.assignment(5)).isEqualTo(unpadded.assignment(5));
    }

    @Test
    void theCancelNamesTheAssignmentAndItsTenant() {
        AssignmentFactory factory = new AssignmentFactory(PREFIX, JobMix.parse("fs.get"), 4, 0);

        CancelRequest cancel = Json.read(factory.cancel(6), CancelRequest.class);

        assertThat(cancel.assignmentId()).isEqualTo(PREFIX + "6");
        assertThat(cancel.tenantId()).isEqualTo("bench-2");
    }

    private ExecAssignment valid(byte[] message) {
        Decoded decoded = decoder.decode(message);
        assertThat(decoded).isInstanceOf(Decoded.Valid.class);
        return ((Decoded.Valid) decoded).assignment();
    }
}
