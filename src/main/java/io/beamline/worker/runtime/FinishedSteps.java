package io.beamline.worker.runtime;

import io.beamline.worker.contract.StepStatus;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The last {@code capacity} finished steps, for duplicate detection and status queries, kept in
 * primitive arrays: a ring of slots (overwritten oldest first) and an open-addressing index from
 * a 128-bit fingerprint of the assignment id to its slot.
 *
 * <p>Why not a map of id to {@link FinishedStep}: at full load every step left an entry, a record
 * and its id string behind that outlived a young collection, so each collection copied them into
 * the old generation (~2 MB, 7-10 ms a pause, eight pauses a second: 15 % of the worker's CPU),
 * and the old generation filled up for a full collection every ~25 s. Here a finished step
 * leaves no object behind; the tenant id it keeps is the decoder's shared instance.
 *
 * <p>A step is found by its id's fingerprint, not its id: two ids are taken for one only when
 * both 64-bit halves, keyed with seeds drawn at start, are equal — about once in 2^128 pairs,
 * never in practice. Not thread-safe; {@link AssignmentRegistry} guards it.
 */
final class FinishedSteps {
    private static final StepStatus[] STATUSES = StepStatus.values();
    private static final int NO_ERROR = Integer.MIN_VALUE;

    private final int capacity;
    private final long seedHigh;
    private final long seedLow;
    // the ring, one index per finished step; the two halves of slot i's fingerprint at 2i and
    // 2i + 1, so a probe that finds its tag reads one cache line of the ring, not two
    private final long[] fingerprints;
    private final String[] tenantIds;
    private final String[] blockTypes;
    private final byte[] statuses;
    private final int[] errorCodes;
    private final int[] retries;
    private final long[] latencies;
    private final long[] completedAt;
    private final long[] sequences;
    private long added;
    // the fingerprint of the id looked up last (callers hold the registry's lock)
    private long idHigh;
    private long idLow;
    // the index, by linear probing from the fingerprint's bucket: the fingerprint's top 32 bits
    // (the tag) and slot + 1 in one long, 0 for none. The tag decides most probes without a
    // look at the ring, and gives an entry's bucket when entries move: fewer cache misses.
    private final long[] index;
    private final int mask;

    FinishedSteps(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0, got " + capacity);
        }
        this.capacity = capacity;
        SecureRandom random = new SecureRandom();
        this.seedHigh = random.nextLong();
        this.seedLow = random.nextLong();
        this.fingerprints = new long[2 * capacity];
        this.tenantIds = new String[capacity];
        this.blockTypes = new String[capacity];
        this.statuses = new byte[capacity];
        this.errorCodes = new int[capacity];
        this.retries = new int[capacity];
        this.latencies = new long[capacity];
        this.completedAt = new long[capacity];
        this.sequences = new long[capacity];
        // at most half full, so probe runs stay short
        int buckets = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
        this.index = new long[buckets];
        this.mask = buckets - 1;
    }

    int size() {
        return (int) Math.min(added, capacity);
    }

    /** Whether the step with this id is remembered; either way its id's fingerprint is then {@link #lastHigh}, {@link #lastLow}. */
    boolean contains(String assignmentId) {
        return lookup(assignmentId) >= 0;
    }

    long lastHigh() {
        return idHigh;
    }

    long lastLow() {
        return idLow;
    }

    Optional<FinishedStep> get(String assignmentId) {
        int slot = lookup(assignmentId);
        if (slot < 0) {
            return Optional.empty();
        }
        return Optional.of(new FinishedStep(tenantIds[slot], blockTypes[slot], STATUSES[statuses[slot]],
                errorCodes[slot] == NO_ERROR ? null : errorCodes[slot], retries[slot], latencies[slot], completedAt[slot],
                sequences[slot]));
    }

    /** Remembers a finished step, forgetting the oldest one when full; a step already remembered is updated. */
    void add(String assignmentId, FinishedStep step) {
        fingerprint(assignmentId);
        add(idHigh, idLow, step);
    }

    /** {@link #add(String, FinishedStep)} by the id's fingerprint, as {@link #contains} left it. */
    void add(long h, long l, FinishedStep step) {
        int slot = find(h, l);
        if (slot < 0) {
            slot = (int) (added % capacity);
            if (added >= capacity) {
                unindex(slot);
            }
            added++;
            fingerprints[2 * slot] = h;
            fingerprints[2 * slot + 1] = l;
            int bucket = bucket(tag(h));
            while (index[bucket] != 0) {
                bucket = (bucket + 1) & mask;
            }
            index[bucket] = entry(tag(h), slot);
        }
        tenantIds[slot] = step.tenantId();
        blockTypes[slot] = step.blockType();
        statuses[slot] = (byte) step.status().ordinal();
        errorCodes[slot] = step.errorCode() == null ? NO_ERROR : step.errorCode();
        retries[slot] = step.retriesUsed();
        latencies[slot] = step.latencyMs();
        completedAt[slot] = step.completedAt();
        sequences[slot] = step.sequence();
    }

    /** The slot of the step with this id, or -1; leaves the id's fingerprint in {@link #idHigh}, {@link #idLow}. */
    private int lookup(String assignmentId) {
        fingerprint(assignmentId);
        return find(idHigh, idLow);
    }

    /** The slot of the step whose id has this fingerprint, or -1. */
    private int find(long h, long l) {
        int tag = tag(h);
        for (int bucket = bucket(tag); ; bucket = (bucket + 1) & mask) {
            long entry = index[bucket];
            if (entry == 0) {
                return -1;
            }
            int slot = slotOf(entry);
            if (tagOf(entry) == tag && fingerprints[2 * slot] == h && fingerprints[2 * slot + 1] == l) {
                return slot;
            }
        }
    }

    /**
     * Removes the slot's entry from the index. Linear probing cannot leave a hole in a run, so
     * the entries after it move back into the gap where their bucket allows (Knuth's algorithm R).
     */
    private void unindex(int slot) {
        int gap = bucket(tag(fingerprints[2 * slot]));
        while (slotOf(index[gap]) != slot) {
            gap = (gap + 1) & mask;
        }
        int next = gap;
        while (true) {
            next = (next + 1) & mask;
            long entry = index[next];
            if (entry == 0) {
                break;
            }
            int home = bucket(tagOf(entry));
            // the entry may move to the gap unless its home lies cyclically in (gap, next]
            boolean homeBetween = gap <= next ? gap < home && home <= next : gap < home || home <= next;
            if (!homeBetween) {
                index[gap] = entry;
                gap = next;
            }
        }
        index[gap] = 0;
        tenantIds[slot] = null;
        blockTypes[slot] = null;
    }

    private int bucket(int tag) {
        return tag & mask;
    }

    private static int tag(long h) {
        return (int) (h >>> 32);
    }

    private static long entry(int tag, int slot) {
        return ((long) tag << 32) | (slot + 1);
    }

    private static int tagOf(long entry) {
        return (int) (entry >>> 32);
    }

    private static int slotOf(long entry) {
        return (int) entry - 1;
    }

    /**
     * Sets {@link #idHigh} and {@link #idLow}: two keyed multiplicative hashes of the id, four
     * characters (64 bits) per multiplication, each finished with murmur3's 64-bit mix. One loop
     * computes both, as two independent chains of multiplications that the processor overlaps.
     */
    private void fingerprint(String id) {
        int n = id.length();
        long h = seedHigh ^ n;
        long l = seedLow ^ n;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            long word = id.charAt(i) | (long) id.charAt(i + 1) << 16 | (long) id.charAt(i + 2) << 32 | (long) id.charAt(i + 3) << 48;
            h = (h ^ word) * 0x9E3779B97F4A7C15L;
            l = (l ^ word) * 0xC2B2AE3D27D4EB4FL;
            h ^= h >>> 29;
            l ^= l >>> 31;
        }
        for (; i < n; i++) {
            char c = id.charAt(i);
            h = (h ^ c) * 0x9E3779B97F4A7C15L;
            l = (l ^ c) * 0xC2B2AE3D27D4EB4FL;
            h ^= h >>> 29;
            l ^= l >>> 31;
        }
        idHigh = mix(h);
        idLow = mix(l);
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
