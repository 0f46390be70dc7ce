package io.beamline.worker.block;

import io.beamline.worker.contract.Job;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Maps canonical block types ({@link Job#blockType()}) to the block that executes them.
 * Immutable once built; thread-safe.
 */
public final class BlockRegistry {
    private final Map<String, Block<?>> blocks;

    private BlockRegistry(Map<String, Block<?>> blocks) {
        this.blocks = Map.copyOf(blocks);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<Block<?>> find(Job job) {
        return Optional.ofNullable(blocks.get(job.blockType()));
    }

    public Set<String> types() {
        return new TreeMap<>(blocks).keySet();
    }

    /** Collects blocks by type; the last registration for a type wins. */
    public static final class Builder {
        private final Map<String, Block<?>> blocks = new TreeMap<>();

        public Builder register(String blockType, Block<?> block) {
            if (!Job.TYPE_NAMES.containsValue(blockType)) {
                throw new IllegalArgumentException("unknown block type " + blockType);
            }
            blocks.put(blockType, block);
            return this;
        }

        public BlockRegistry build() {
            return new BlockRegistry(blocks);
        }
    }
}
