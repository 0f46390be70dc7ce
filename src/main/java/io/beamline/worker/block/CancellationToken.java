package io.beamline.worker.block;

/**
 * The cooperative half of cancellation: a block doing long work in steps (copying a file in
 * chunks, paging rows) may check it between steps and stop early. If a block does not stop by
 * itself within the cancel grace period, its thread is interrupted (the forced half).
 */
@FunctionalInterface
public interface CancellationToken {
    CancellationToken NONE = () -> false;

    boolean isCancellationRequested();
}
