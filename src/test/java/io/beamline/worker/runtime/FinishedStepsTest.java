package io.beamline.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.contract.StepStatus;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FinishedStepsTest {

    private static FinishedStep step(String tenant, StepStatus status, Integer errorCode, int retries, long latency, long completedAt) {
        return new FinishedStep(tenant, "fs.get", status, errorCode, retries, latency, completedAt, -1);
    }

    @Test
    void aRememberedStepComesBackWithEveryField() {
        FinishedSteps steps = new FinishedSteps(10);
        steps.add("a-1", step("acme", StepStatus.SUCCESS, null, 0, 12, 1_700_000_000_000L));
        steps.add("a-2", step("globex", StepStatus.ERROR, 3001, 2, 450, 1_700_000_000_500L));

        assertThat(steps.get("a-1")).contains(step("acme", StepStatus.SUCCESS, null, 0, 12, 1_700_000_000_000L));
        assertThat(steps.get("a-2")).contains(step("globex", StepStatus.ERROR, 3001, 2, 450, 1_700_000_000_500L));
        assertThat(steps.contains("a-1")).isTrue();
        assertThat(steps.contains("a-3")).isFalse();
        assertThat(steps.get("a-3")).isEmpty();
        assertThat(steps.size()).isEqualTo(2);
    }

    @Test
    void idsThatDifferOnlyByOrderOrLengthAreDifferentSteps() {
        FinishedSteps steps = new FinishedSteps(100);
        steps.add("ab", step("t", StepStatus.SUCCESS, null, 0, 1, 1));

        assertThat(steps.contains("ba")).isFalse();
        assertThat(steps.contains("ab\0")).isFalse();
        assertThat(steps.contains("a")).isFalse();
        assertThat(steps.contains("")).isFalse();
    }

    @Test
    void idsThatDifferInOneCharacterAnywhereAreDifferentSteps() {
        String base = "lg-0123456789abcdef-0123456789abcdef-42";  // 4 characters per hash step, then a tail
        FinishedSteps steps = new FinishedSteps(1000);
        steps.add(base, step("t", StepStatus.SUCCESS, null, 0, 1, 1));
        for (int i = 0; i < base.length(); i++) {
            for (char c : new char[] {'x', '\u0100', (char) (base.charAt(i) + 1), (char) (base.charAt(i) | 0x8000)}) {
                String other = base.substring(0, i) + c + base.substring(i + 1);
                assertThat(steps.contains(other)).as("%s differs at %d", other, i).isFalse();
            }
        }
        assertThat(steps.contains(base)).isTrue();
    }

    @Test
    void addingAnIdAgainUpdatesItsOneSlot() {
        FinishedSteps steps = new FinishedSteps(3);
        steps.add("x", step("t", StepStatus.ERROR, 2001, 1, 5, 10));
        steps.add("x", step("t", StepStatus.SUCCESS, null, 0, 6, 11));

        assertThat(steps.get("x")).contains(step("t", StepStatus.SUCCESS, null, 0, 6, 11));
        assertThat(steps.size()).isEqualTo(1);
    }

    @Test
    void aStepAddedByTheFingerprintALookupLeftIsFoundByItsId() {
        FinishedSteps steps = new FinishedSteps(10);
        assertThat(steps.contains("kept-1")).isFalse();
        long high = steps.lastHigh();
        long low = steps.lastLow();
        assertThat(steps.contains("other")).isFalse();  // a later lookup does not change what was taken

        steps.add(high, low, step("t", StepStatus.SUCCESS, null, 0, 3, 4));

        assertThat(steps.get("kept-1")).contains(step("t", StepStatus.SUCCESS, null, 0, 3, 4));
        assertThat(steps.contains("other")).isFalse();
        steps.add("kept-1", step("t", StepStatus.ERROR, 2001, 0, 5, 6));  // by id: the same slot
        assertThat(steps.size()).isEqualTo(1);
        assertThat(steps.get("kept-1")).contains(step("t", StepStatus.ERROR, 2001, 0, 5, 6));
    }

    @Test
    void whenFullTheOldestIsForgottenFirst() {
        FinishedSteps steps = new FinishedSteps(3);
        for (int i = 1; i <= 5; i++) {
            steps.add("id-" + i, step("t", StepStatus.SUCCESS, null, 0, i, i));
        }

        assertThat(steps.contains("id-1")).isFalse();
        assertThat(steps.contains("id-2")).isFalse();
        assertThat(steps.get("id-3").orElseThrow().latencyMs()).isEqualTo(3);
        assertThat(steps.get("id-5").orElseThrow().latencyMs()).isEqualTo(5);
        assertThat(steps.size()).isEqualTo(3);
    }

    @Test
    void aCapacityOfOneRemembersTheLastStep() {
        FinishedSteps steps = new FinishedSteps(1);
        steps.add("first", step("t", StepStatus.SUCCESS, null, 0, 1, 1));
        steps.add("second", step("t", StepStatus.SUCCESS, null, 0, 2, 2));

        assertThat(steps.contains("first")).isFalse();
        assertThat(steps.contains("second")).isTrue();
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new FinishedSteps(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Eviction removes entries from the middle of probe runs; a model (the last {@code capacity}
     * ids) must agree with the store after every step, over many wrap-arounds of the ring.
     */
    @Test
    void afterManyWrapAroundsExactlyTheLastCapacityIdsAreRemembered() {
        int capacity = 257;
        FinishedSteps steps = new FinishedSteps(capacity);
        Deque<String> lastIds = new ArrayDeque<>();
        Set<String> forgotten = new HashSet<>();
        Random random = new Random(42);
        for (int i = 0; i < 20 * capacity; i++) {
            String id = "lg-" + Long.toHexString(random.nextLong()) + "-" + i;
            steps.add(id, step("t" + (i % 7), StepStatus.SUCCESS, null, 0, i, i));
            lastIds.addLast(id);
            if (lastIds.size() > capacity) {
                forgotten.add(lastIds.removeFirst());
            }
            if (i % 97 == 0) {
                for (String remembered : lastIds) {
                    assertThat(steps.contains(remembered)).as("remembered %s at step %d", remembered, i).isTrue();
                }
            }
        }
        int index = 20 * capacity - capacity;
        for (String remembered : lastIds) {
            assertThat(steps.get(remembered).orElseThrow().latencyMs()).isEqualTo(index++);
        }
        assertThat(forgotten).allSatisfy(id -> assertThat(steps.contains(id)).as(id).isFalse());
        assertThat(steps.size()).isEqualTo(capacity);
    }
}
