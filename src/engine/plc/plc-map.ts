/**
 * The PLC handshake's register and coil map (issue 17), LineSight as the
 * Modbus TCP server the PLC reads and writes. Addresses are 0-based (the PLC's
 * 00001 / 10001 / 30001 / 40001 are these plus one). README.md documents the
 * same table; a change here is a change of contract with every line's PLC
 * program.
 *
 *   Coils (the PLC writes):
 *     0 TRIGGER       rising edge: one item — the station takes the next frame
 *     1 RESULT_ACK    rising edge: the PLC has read the result shown; the next is shown
 *     2 EJECT_CONFIRM rising edge: the ejector fired for the item in CONFIRM_ID (confirmed rejects)
 *   Discrete inputs (the PLC reads):
 *     0 READY         the station takes triggers (running, a model loaded)
 *     1 RESULT_READY  a result is shown in the input registers
 *     2 RESULT_OK     the shown item is good
 *     3 RESULT_NG     the shown item is rejected
 *     4 RESULT_DIVERT the shown item goes for a second look
 *     5 ERROR         the shown item was rejected without a verdict (see ERROR_CODE)
 *     6 OVERRUN       results were lost because the buffer was full (since start)
 *     7 COMPLETED     toggles each time a result is shown
 *   Holding registers (the PLC writes):
 *     0 TRIGGER_ID    the PLC's own number for its next trigger (1–65535; 0: the station numbers them)
 *     1 RECIPE_REQUEST the recipe index the PLC asks for, switched between two items; written again, asked again;
 *                     after a refusal (RECIPE_STATE 2) that index is asked again only once 0 or another was written
 *     2 CONFIRM_ID    the trigger id whose reject the ejector confirms
 *   Input registers (the PLC reads):
 *     0 RESULT_ID     the shown result's trigger id
 *     1 DECISION      1 OK, 2 NG, 3 DIVERT
 *     2 CLASS         the index of the top label
 *     3 SCORE         the reject label's score × 10,000 (0 when there is none)
 *     4 ERROR_CODE    0 none, 1 no frame for the trigger, 2 no verdict (fail-safe)
 *     5 BUFFERED      results waiting, the shown one included
 *     6 OVERRUNS      results lost to a full buffer (saturates at 65,535)
 *     7 TRIGGERS      triggers taken, modulo 65,536
 *     8 CYCLE_MS      trigger to result ready of the shown result, ms (saturates)
 *     9 RESULT_SEQ    counts shown results, modulo 65,536 (tells a new result from the same)
 *    10 RECIPE_CURRENT the recipe index in force (0: none); the PLC waits for it to equal its request
 *    11 RECIPE_STATE  0 in force, 1 switching (READY is off), 2 the last request was refused (no such index, or its model failed)
 */

export const COIL = { TRIGGER: 0, RESULT_ACK: 1, EJECT_CONFIRM: 2 } as const;
export const DISCRETE = { READY: 0, RESULT_READY: 1, RESULT_OK: 2, RESULT_NG: 3, RESULT_DIVERT: 4, ERROR: 5, OVERRUN: 6, COMPLETED: 7 } as const;
export const HOLDING = { TRIGGER_ID: 0, RECIPE_REQUEST: 1, CONFIRM_ID: 2 } as const;
export const INPUT = {
  RESULT_ID: 0,
  DECISION: 1,
  CLASS: 2,
  SCORE: 3,
  ERROR_CODE: 4,
  BUFFERED: 5,
  OVERRUNS: 6,
  TRIGGERS: 7,
  CYCLE_MS: 8,
  RESULT_SEQ: 9,
  RECIPE_CURRENT: 10,
  RECIPE_STATE: 11,
} as const;

export const COILS = 3;
export const DISCRETES = 8;
export const HOLDINGS = 3;
export const INPUTS = 12;

export const DECISION_CODE = { clean: 1, pit: 2, maybe: 3 } as const;
export const ERROR_CODE = { none: 0, noFrame: 1, noVerdict: 2 } as const;
export const RECIPE_STATE = { inForce: 0, switching: 1, refused: 2 } as const;

/** A 16-bit register's value: whole, clamped to 0–65,535. */
export function word(value: number): number {
  return Math.max(0, Math.min(0xffff, Math.round(value)));
}
