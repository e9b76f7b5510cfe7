/**
 * The ways the loop benchmark runs (engine/bench/loop.ts), apart from it so the engine host's
 * protocol can name them without loading ORT's binding.
 */

/** host round-trips, device-resident (IO binding), graph replay. */
export const LOOP_MODES = ['host', 'device', 'graph'] as const;
export type LoopMode = (typeof LOOP_MODES)[number];
