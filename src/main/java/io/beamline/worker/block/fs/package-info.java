/**
 * The filesystem blocks of SPEC §4.2: {@code fs.put}, {@code fs.get}, {@code fs.delete}, built by
 * {@link io.beamline.worker.block.fs.FsBlocks} from one {@link io.beamline.worker.block.fs.FsConfig}.
 *
 * <p>Design in brief. Every job path goes through {@link io.beamline.worker.block.TenantPaths}
 * (refusals are 2003), and what it found is opened through a
 * {@link io.beamline.worker.block.ConfinedDirectory}, which refuses a link swapped in after the
 * check. Writes are atomic and durable: temp file in the target's directory,
 * fsync, rename over the target, fsync of the directory ({@code AtomicWrite}); temp files that a
 * killed process left are collected by {@link io.beamline.worker.block.fs.FsBlocks#removeOrphanedTempFiles()}.
 * IO runs on the calling thread in 64 KiB chunks; with CP2 timeouts on, a deadline is checked
 * between chunks and a timer closes the open channel when it passes ({@code OperationDeadline}),
 * so no extra thread ever does IO and nothing outlives the step. Failures are values
 * ({@code FsOutcomes}); only an outside interrupt escapes, as {@link InterruptedException}.
 */
package io.beamline.worker.block.fs;
