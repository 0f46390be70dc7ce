package io.beamline.worker.runtime;

import static io.beamline.worker.runtime.TestSteps.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.FsOutput;
import io.beamline.worker.contract.StepResult;
import io.beamline.worker.contract.StepStatus;
import org.junit.jupiter.api.Test;

/** The registry remembers finished steps by the fingerprint taken when they were registered. */
class AssignmentRegistryTest {
    private final AssignmentRegistry registry = new AssignmentRegistry(100);

    @Test
    void aFinishedStepIsRememberedAndItsIdRefusedAfterwards() {
        Step step = step("a-1");

        assertThat(registry.register(step)).isTrue();
        assertThat(registry.register(step("a-1"))).as("while it runs").isFalse();
        registry.finish(step, result(step));

        assertThat(registry.inFlight("a-1")).isEmpty();
        assertThat(registry.finished("a-1").orElseThrow().status()).isEqualTo(StepStatus.SUCCESS);
        assertThat(registry.register(step("a-1"))).as("once finished").isFalse();
        assertThat(registry.register(step("a-2"))).isTrue();
    }

    @Test
    void aStepThatFinishesWithoutHavingBeenRegisteredIsStillRememberedByItsId() {
        Step step = step("never-registered");

        registry.finish(step, result(step));

        assertThat(registry.finished("never-registered")).isPresent();
        assertThat(registry.register(step("never-registered"))).isFalse();
    }

    @Test
    void aStepInFlightIsFoundByItsIdUntilItFinishesOrIsForgotten() {
        Step first = step("run-1");
        Step second = step("run-2");
        registry.register(first);
        registry.register(second);

        assertThat(registry.inFlight("run-1")).containsSame(first);
        assertThat(registry.inFlight("run-3")).isEmpty();
        assertThat(registry.inFlightCount()).isEqualTo(2);
        assertThat(registry.inFlightSteps()).containsExactlyInAnyOrder(first, second);

        registry.forget(second);
        assertThat(registry.inFlight("run-2")).isEmpty();
        assertThat(registry.register(step("run-2"))).as("a forgotten step never happened").isTrue();
        registry.finish(first, result(first));
        assertThat(registry.inFlight("run-1")).isEmpty();
        assertThat(registry.inFlightCount()).isEqualTo(1);
    }

    @Test
    void forgettingAStepThatIsNotTheRegisteredOneLeavesTheRegisteredOne() {
        Step running = step("dup-1");
        registry.register(running);

        registry.forget(step("dup-1"));  // a duplicate refused at registration, then dropped

        assertThat(registry.inFlight("dup-1")).containsSame(running);
    }

    @Test
    void awaitIdleReturnsOnceTheLastStepFinishes() throws Exception {
        Step step = step("idle-1");
        registry.register(step);
        assertThat(registry.awaitIdle(java.time.Duration.ofMillis(20))).isFalse();

        Thread finisher = Thread.ofVirtual().start(() -> registry.finish(step, result(step)));

        assertThat(registry.awaitIdle(java.time.Duration.ofSeconds(10))).isTrue();
        finisher.join();
        assertThat(registry.inFlightCount()).isZero();
    }

    private static ExecResult result(Step step) {
        return ExecResult.of(step.assignment(), new StepResult.Succeeded(FsOutput.of("docs/a.txt", 5, "text/plain", "hello"), 1),
                0, 1, System.currentTimeMillis());
    }
}
