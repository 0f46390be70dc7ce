package io.beamline.worker.runtime;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The queue of one pool, fair across tenants: each tenant has its own lane, and lanes take turns
 * (round-robin; weighted turns; or highest {@code priority} first with turns among equals).
 * Within a lane, higher priority goes first, then arrival order. A tenant that may not start
 * more work right now (at its concurrency limit) is skipped, so it never blocks the others.
 * The global arrival order is kept too, for {@code drop_oldest} and queue positions: a list
 * linked through the steps themselves ({@code Step.olderQueued}, {@code Step.newerQueued}), so
 * that joining and leaving it allocate nothing and hash nothing (a linked hash set's entry and
 * identity hash per step, before).
 *
 * <p>Not thread-safe: guarded by its {@link Pool}'s lock.
 */
final class FairQueue {

    private final SchedulingMode mode;
    private final ToIntFunction<String> weights;
    private final Map<String, Lane> lanes = new HashMap<>();
    private final ArrayDeque<Lane> turns = new ArrayDeque<>();
    private Step oldest;
    private Step newest;
    private int size;

    FairQueue(SchedulingMode mode, ToIntFunction<String> weights) {
        this.mode = mode;
        this.weights = weights;
    }

    int size() {
        return size;
    }

    /** Queues a newly arrived step: last in the arrival order and in its lane's band. */
    void add(Step step) {
        Lane lane = lanes.get(step.tenantId());
        if (lane == null) {
            lane = new Lane(step.tenantId());
            lanes.put(lane.tenant, lane);
            turns.addLast(lane);
        }
        lane.add(step);
        link(step);
    }

    boolean remove(Step step) {
        if (!step.queued) {
            return false;
        }
        unlink(step);
        Lane lane = lanes.get(step.tenantId());
        lane.remove(step);
        if (lane.isEmpty()) {
            dropLane(lane);
        }
        return true;
    }

    Optional<Step> oldest() {
        return Optional.ofNullable(oldest);
    }

    /** 1-based position in arrival order, or 0 when not queued. O(n): for status queries only. */
    int positionOf(Step step) {
        int position = 1;
        for (Step queued = oldest; queued != null; queued = queued.newerQueued) {
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
        Step step = chosen.poll();
        unlink(step);
        if (chosen.isEmpty()) {
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
                    || lane.headPriority() > best.headPriority())) {
                best = lane;
            }
        }
        if (best != null) {
            turns.remove(best);
            turns.addLast(best);  // among equal priorities, tenants still take turns
        }
        return best;
    }

    /**
     * Joins the arrival order, last. Only new steps join: the pool decides a {@code drop_oldest}
     * eviction before it takes the oldest step out, so none ever comes back.
     */
    private void link(Step step) {
        step.olderQueued = newest;
        step.newerQueued = null;
        if (newest == null) {
            oldest = step;
        } else {
            newest.newerQueued = step;
        }
        newest = step;
        step.queued = true;
        size++;
    }

    private void unlink(Step step) {
        Step older = step.olderQueued;
        Step newer = step.newerQueued;
        if (older == null) {
            oldest = newer;
        } else {
            older.newerQueued = newer;
        }
        if (newer == null) {
            newest = older;
        } else {
            newer.olderQueued = older;
        }
        step.olderQueued = null;
        step.newerQueued = null;
        step.queued = false;
        size--;
    }

    private void dropLane(Lane lane) {
        lanes.remove(lane.tenant);
        turns.remove(lane);
    }

    /**
     * One tenant's queued steps: a band per priority, highest first, each band in arrival order.
     * Why not one priority queue per lane, as before: most work has no priority, so every step
     * paid a heap's sift (2.3 % of the sandbox worker's JFR samples at full load) to keep an
     * order that arrival already gives; with one band, adding and taking are a deque's.
     */
    private static final class Lane {
        final String tenant;
        private final TreeMap<Integer, ArrayDeque<Step>> bands = new TreeMap<>(Comparator.reverseOrder());
        int credits;

        Lane(String tenant) {
            this.tenant = tenant;
        }

        void add(Step step) {
            bands.computeIfAbsent(priorityOf(step), p -> new ArrayDeque<>()).addLast(step);
        }

        Step poll() {
            Map.Entry<Integer, ArrayDeque<Step>> top = bands.firstEntry();
            Step step = top.getValue().pollFirst();
            if (top.getValue().isEmpty()) {
                bands.pollFirstEntry();
            }
            return step;
        }

        void remove(Step step) {
            Integer priority = priorityOf(step);
            ArrayDeque<Step> band = bands.get(priority);
            if (band != null && band.remove(step) && band.isEmpty()) {
                bands.remove(priority);
            }
        }

        boolean isEmpty() {
            return bands.isEmpty();
        }

        int headPriority() {
            return bands.firstKey();
        }

        private static Integer priorityOf(Step step) {
            return step.assignment().priorityOrZero();
        }
    }
}
