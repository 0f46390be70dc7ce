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

    private static ExecResult result(Step step) {
        return ExecResult.of(step.assignment(), new StepResult.Succeeded(FsOutput.of("docs/a.txt", 5, "text/plain", "hello"), 1),
                0, 1, System.currentTimeMillis());
    }
}
