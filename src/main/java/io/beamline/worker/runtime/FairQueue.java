package io.beamline.worker.runtime;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The queue of one pool, fair across tenants: each tenant has its own lane, and lanes take turns
 * (round-robin; weighted turns; or highest {@code priority} first with turns among equals).
 * Within a lane, higher priority goes first, then arrival order. A tenant that may not start
 * more work right now (at its concurrency limit) is skipped, so it never blocks the others.
 * The global arrival order is kept too, for {@code drop_oldest} and queue positions.
 *
 * <p>Not thread-safe: guarded by its {@link Pool}'s lock.
 */
final class FairQueue {

    /** Higher priority first, then arrival order; written out because the composed
     *  comparingInt/thenComparingLong lambdas were 3 % of the sandbox profile. */
    private static final Comparator<Step> WITHIN_LANE = (a, b) -> {
        int byPriority = Integer.compare(b.assignment().priorityOrZero(), a.assignment().priorityOrZero());
        return byPriority != 0 ? byPriority : Long.compare(a.sequence(), b.sequence());
    };

    private final SchedulingMode mode;
    private final ToIntFunction<String> weights;
    private final Map<String, Lane> lanes = new HashMap<>();
    private final ArrayDeque<Lane> turns = new ArrayDeque<>();
    private final LinkedHashSet<Step> arrival = new LinkedHashSet<>();
    /** Steps added so far: the arrival order within a lane (under the pool's lock, no shared counter). */
    private long arrivals;

    FairQueue(SchedulingMode mode, ToIntFunction<String> weights) {
        this.mode = mode;
        this.weights = weights;
    }

    int size() {
        return arrival.size();
    }

    void add(Step step) {
        if (step.sequence() == 0) {  // a step put back (an eviction undone) keeps its place in its lane
            step.sequence(++arrivals);
        }
        Lane lane = lanes.get(step.tenantId());
        if (lane == null) {
            lane = new Lane(step.tenantId());
            lanes.put(lane.tenant, lane);
            turns.addLast(lane);
        }
        lane.steps.add(step);
        arrival.add(step);
    }

    boolean remove(Step step) {
        if (!arrival.remove(step)) {
            return false;
        }
        Lane lane = lanes.get(step.tenantId());
        lane.steps.remove(step);
        if (lane.steps.isEmpty()) {
            dropLane(lane);
        }
        return true;
    }

    Optional<Step> oldest() {
        Iterator<Step> it = arrival.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }

    /** 1-based position in arrival order, or 0 when not queued. O(n): for status queries only. */
    int positionOf(Step step) {
        int position = 1;
        for (Step queued : arrival) {
            if (queued == step) {
                return position;
            }
            position++;
        }
        return 0;
    }

    /** Takes the next step by this queue's fairness among tenants that {@code mayStart}; null if none. */
    Step poll(Predicate<String> mayStart) {
        Lane chosen = mode == SchedulingMode.priority ? highestPriorityLane(mayStart) : nextTurn(mayStart);
        if (chosen == null) {
            return null;
        }
        Step step = chosen.steps.poll();
        arrival.remove(step);
        if (chosen.steps.isEmpty()) {
            dropLane(chosen);
        } else if (mode == SchedulingMode.weighted && --chosen.credits > 0) {
            turns.remove(chosen);
            turns.addFirst(chosen);  // keeps its turn until its weight is used
        }
        return step;
    }

    private Lane nextTurn(Predicate<String> mayStart) {
        for (int i = 0, n = turns.size(); i < n; i++) {
            Lane lane = turns.pollFirst();
            turns.addLast(lane);
            if (mayStart.test(lane.tenant)) {
                if (lane.credits <= 0) {
                    lane.credits = Math.max(1, weights.applyAsInt(lane.tenant));
                }
                return lane;
            }
        }
        return null;
    }

    private Lane highestPriorityLane(Predicate<String> mayStart) {
        Lane best = null;
        for (Lane lane : turns) {
            if (mayStart.test(lane.tenant) && (best == null
                    || lane.steps.peek().assignment().priorityOrZero() > best.steps.peek().assignment().priorityOrZero())) {
                best = lane;
            }
        }
        if (best != null) {
            turns.remove(best);
            turns.addLast(best);  // among equal priorities, tenants still take turns
        }
        return best;
    }

    private void dropLane(Lane lane) {
        lanes.remove(lane.tenant);
        turns.remove(lane);
    }

    private static final class Lane {
        final String tenant;
        final PriorityQueue<Step> steps = new PriorityQueue<>(WITHIN_LANE);
        int credits;

        Lane(String tenant) {
            this.tenant = tenant;
        }
    }
}
