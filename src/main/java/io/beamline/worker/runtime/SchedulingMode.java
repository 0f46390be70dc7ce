package io.beamline.worker.runtime;

/**
 * How tenants take turns inside a pool ({@code --scheduling}): plain round-robin, weighted
 * round-robin (a tenant's weight is how many steps it starts per turn), or highest
 * {@code priority} first with round-robin among equals.
 */
public enum SchedulingMode {
    round_robin,
    weighted,
    priority
}
