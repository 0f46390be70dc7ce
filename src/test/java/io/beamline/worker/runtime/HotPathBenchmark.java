package io.beamline.worker.runtime;

import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.HttpOutput;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.StepResult;
import io.beamline.worker.support.Assignments;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH micro-benchmarks of the assignment hot path (issue 9): decode + validate, fair
 * scheduling, and encoding the ack and result. Run with {@code bench/jmh}; not part of the
 * test suite (it prints figures, it asserts nothing).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmark {
    private final AssignmentDecoder decoder = new AssignmentDecoder();
    private byte[] httpAssignment;
    private ExecAssignment decoded;
    private ExecResult result;
    private FairQueue queue;
    private Step[] steps;
    private int next;
    private AssignmentRegistry registry;
    private Step[] fresh;
    private int nextFresh;

    @Setup
    public void setUp() {
        httpAssignment = Assignments.bytes(Assignments.httpGet("https://api.example.com/process"));
        decoded = ((Decoded.Valid) decoder.decode(httpAssignment)).assignment();
        result = ExecResult.of(decoded, new StepResult.Succeeded(HttpOutput.inline(200, "{\"output\":\"processed\"}",
                Map.of("Content-Type", "application/json"), 12), 12), 0, 12, 1_700_000_000_000L);
        queue = new FairQueue(SchedulingMode.round_robin, tenant -> 1);
        steps = new Step[1024];
        for (int i = 0; i < steps.length; i++) {
            var assignment = Assignments.httpGet("https://x");
            assignment.put("tenant_id", "tenant-" + (i % 16));
            ExecAssignment a = ((Decoded.Valid) decoder.decode(Assignments.bytes(assignment))).assignment();
            steps[i] = new Step(a, new byte[500], 0, 0, null);
        }
        // as the worker's registry (100,000 finished steps remembered), full; fresh ids cycle
        // through 2.6 times its capacity, so each one is new again when it comes round
        registry = new AssignmentRegistry(100_000);
        fresh = new Step[1 << 18];
        for (int i = 0; i < fresh.length; i++) {
            fresh[i] = new Step(new ExecAssignment(decoded.version(), java.util.UUID.randomUUID().toString(),
                    decoded.requestId(), decoded.tenantId(), decoded.traceId(), decoded.runId(), decoded.flowId(),
                    decoded.stepId(), decoded.executor(), decoded.priority(), decoded.resourcePool(),
                    decoded.retryConfig(), decoded.job()), new byte[500], 0, 0, null);
        }
        for (int i = 0; i < 100_000; i++) {
            registerAndFinish();
        }
    }

    @Benchmark
    public Decoded decodeAndValidate() {
        return decoder.decode(httpAssignment);
    }

    @Benchmark
    public Object readTreeOnly() throws Exception {
        return Json.readTree(httpAssignment);
    }

    @Benchmark
    public Object streamTokensOnly() throws Exception {
        try (var parser = Json.mapper().getFactory().createParser(httpAssignment)) {
            int n = 0;
            while (parser.nextToken() != null) {
                if (parser.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                    n += parser.getText().length();
                }
            }
            return n;
        }
    }

    @Benchmark
    public byte[] encodeAck() {
        return Json.write(ExecAssignmentAck.accepted(decoded, 1_700_000_000_000L));
    }

    @Benchmark
    public byte[] encodeResult() {
        return Json.write(result);
    }

    /** The ack through Jackson (the path of messages WireBytes does not write), for comparison. */
    @Benchmark
    public byte[] encodeAckJackson() throws Exception {
        return Json.mapper().writeValueAsBytes(ExecAssignmentAck.accepted(decoded, 1_700_000_000_000L));
    }

    @Benchmark
    public byte[] encodeResultJackson() throws Exception {
        return Json.mapper().writeValueAsBytes(result);
    }

    /**
     * The registry's part of one step at full memory: registered (duplicate check against the
     * finished steps), then finished (remembered, the oldest forgotten).
     */
    @Benchmark
    public boolean registerAndFinish() {
        Step step = fresh[nextFresh++ & (fresh.length - 1)];
        boolean registered = registry.register(step);
        registry.finish(step, result);
        return registered;
    }

    /** One step through a fair queue with 16 tenants: add, then take the next by turn. */
    @Benchmark
    public Step scheduleOne() {
        queue.add(steps[next++ & 1023]);
        return queue.poll(tenant -> true);
    }
}
