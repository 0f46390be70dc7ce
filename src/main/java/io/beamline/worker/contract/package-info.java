/**
 * The wire format of SPEC §2: records for every message, one JSON codec, and the decoder that
 * validates incoming assignments with the exact error codes and rejection reasons.
 *
 * <p>Convention: a record component that may be absent on the wire is {@code null} here, and
 * the codec omits nulls when writing, so the golden examples round-trip field for field. Every
 * message the worker produces is built through factories that fill the fields the contract
 * requires. This package depends on nothing else in the worker.
 */
package io.beamline.worker.contract;
