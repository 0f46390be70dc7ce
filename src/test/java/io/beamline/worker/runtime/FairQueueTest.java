package io.beamline.worker.runtime;

import static io.beamline.worker.runtime.TestSteps.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Order within a tenant's lane: higher priority first, then arrival; what is left when steps leave. */
class FairQueueTest {

    @Test
    void withinALaneHigherPriorityGoesFirstThenArrivalOrder() {
        FairQueue queue = new FairQueue(SchedulingMode.round_robin, tenant -> 1);
        for (String spec : List.of("p0-a:0", "p5-a:5", "p0-b:0", "p5-b:5", "p1:1", "pneg:-3", "p0-c:0")) {
            String[] parts = spec.split(":");
            queue.add(step(parts[0], "t", Integer.parseInt(parts[1])));
        }

        assertThat(drain(queue)).containsExactly("p5-a", "p5-b", "p1", "p0-a", "p0-b", "p0-c", "pneg");
        assertThat(queue.size()).isZero();
    }

    @Test
    void aStepRemovedFromTheMiddleLeavesNoGapInTheArrivalOrder() {
        FairQueue queue = new FairQueue(SchedulingMode.round_robin, tenant -> 1);
        List<Step> steps = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            steps.add(step("s" + i, i % 2 == 0 ? "even" : "odd", 0));
            queue.add(steps.getLast());
        }

        assertThat(queue.remove(steps.get(2))).isTrue();

        assertThat(queue.positionOf(steps.get(2))).isZero();
        assertThat(queue.positionOf(steps.get(3))).isEqualTo(3);
        assertThat(queue.oldest()).containsSame(steps.get(0));
        queue.add(steps.get(2));  // a step that joins again joins last
        assertThat(queue.positionOf(steps.get(2))).isEqualTo(4);
        assertThat(drain(queue)).containsExactly("s1", "s2", "s3", "s4");
    }

    @Test
    void removingTheLastStepOfABandOrALaneLeavesTheRestInOrder() {
        FairQueue queue = new FairQueue(SchedulingMode.round_robin, tenant -> 1);
        Step urgent = step("urgent", "a", 9);
        Step plain = step("plain", "a", 0);
        Step other = step("other", "b", 0);
        queue.add(urgent);
        queue.add(plain);
        queue.add(other);

        assertThat(queue.remove(urgent)).isTrue();
        assertThat(queue.remove(urgent)).isFalse();
        assertThat(queue.remove(other)).isTrue();

        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.oldest()).containsSame(plain);
        assertThat(drain(queue)).containsExactly("plain");
        assertThat(queue.oldest()).isEmpty();
        assertThat(queue.poll(tenant -> true)).isNull();
    }

    @Test
    void priorityModeTakesTheLaneWhoseHeadHasTheHighestPriority() {
        FairQueue queue = new FairQueue(SchedulingMode.priority, tenant -> 1);
        queue.add(step("a-low", "a", 1));
        queue.add(step("b-low", "b", 1));
        queue.add(step("b-high", "b", 7));
        queue.add(step("a-mid", "a", 4));

        // among equal heads the lanes take turns: a went last when a-mid was taken
        assertThat(drain(queue)).containsExactly("b-high", "a-mid", "b-low", "a-low");
    }

    @Test
    void aTenantThatMayNotStartIsSkippedWithoutLosingItsSteps() {
        FairQueue queue = new FairQueue(SchedulingMode.round_robin, tenant -> 1);
        queue.add(step("a1", "a", 0));
        queue.add(step("b1", "b", 0));
        queue.add(step("a2", "a", 0));

        assertThat(queue.poll(tenant -> !tenant.equals("a")).id()).isEqualTo("b1");
        assertThat(queue.poll(tenant -> !tenant.equals("a"))).isNull();
        assertThat(drain(queue)).containsExactly("a1", "a2");
    }

    private static List<String> drain(FairQueue queue) {
        List<String> ids = new ArrayList<>();
        for (Step step = queue.poll(tenant -> true); step != null; step = queue.poll(tenant -> true)) {
            ids.add(step.id());
        }
        return ids;
    }
}
