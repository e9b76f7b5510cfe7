/**
 * Clock event ("throttle") reasons: the bit mask NVML returns and nvidia-smi prints as
 * `clocks_event_reasons.active`, decoded into the names nvidia-smi uses for its per-reason fields
 * (`clocks_event_reasons.sw_power_cap` …), so both sources report the same words.
 */

/** Bit → name, from nvml.h's nvmlClocksEventReason* / nvmlClocksThrottleReason* constants. */
export const CLOCK_EVENT_REASON_BITS: ReadonlyArray<readonly [bit: bigint, name: string]> = [
  [0x1n, 'gpu_idle'],
  [0x2n, 'applications_clocks_setting'],
  [0x4n, 'sw_power_cap'],
  [0x8n, 'hw_slowdown'],
  [0x10n, 'sync_boost'],
  [0x20n, 'sw_thermal_slowdown'],
  [0x40n, 'hw_thermal_slowdown'],
  [0x80n, 'hw_power_brake_slowdown'],
  [0x100n, 'display_clock_setting'],
];

/**
 * Decodes a reasons mask into names. Bits this table does not know come back as `unknown_0x…`
 * so a newer driver's reason is visible instead of silently dropped.
 */
export function decodeClockEventReasons(mask: bigint | number): string[] {
  let rest = BigInt(mask);
  const names: string[] = [];
  for (const [bit, name] of CLOCK_EVENT_REASON_BITS) {
    if ((rest & bit) !== 0n) {
      names.push(name);
      rest &= ~bit;
    }
  }
  for (let bit = 1n; rest !== 0n; bit <<= 1n) {
    if ((rest & bit) !== 0n) {
      names.push(`unknown_0x${bit.toString(16)}`);
      rest &= ~bit;
    }
  }
  return names;
}
