import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GpuInfo } from '../ipc/contract';
import { AppError } from '../shared/errors';
import { parseNvidiaSmiCsv } from './nvidia-smi';
import { explainPowerLimit, powerAdviceFor, powerLimitCommand, withPowerAdvice } from './power';
import { FIXTURE_DIR } from './test-support';

const h200 = parseNvidiaSmiCsv(readFileSync(join(FIXTURE_DIR, 'h200-query-gpu.csv'), 'utf8'))
  .gpus[0]!;

function withPower(p: Partial<GpuInfo['powerLimit']>, drawW: number | null = 100): GpuInfo {
  return { ...h200, powerDrawW: drawW, powerLimit: { ...h200.powerLimit, ...p } };
}

describe('explainPowerLimit', () => {
  it('states the real H200 numbers', () => {
    const e = explainPowerLimit(h200);
    expect(e.summary).toBe(
      'Limit 700 W = default; range 200–700 W (at the maximum); drawing 95 W (14% of the limit)',
    );
    expect(e.position).toBe('default');
    expect(e.drawPctOfLimit).toBe(14);
    expect(e.adjustable).toBe(true);
    expect(e.tradeoff).toMatch(/factory limit/);
    expect(e.enforcedNote).toBeNull();
  });

  it.each([
    [
      { currentW: 450, defaultW: 600, minW: 150, maxW: 600 },
      'below-default',
      'Limit 450 W, 150 W below the default 600 W; range 150–600 W',
    ],
    [
      { currentW: 600, defaultW: 450, minW: 150, maxW: 600 },
      'above-default',
      'Limit 600 W, 150 W above the default 450 W; range 150–600 W (at the maximum)',
    ],
    [
      { currentW: 150, defaultW: 450, minW: 150, maxW: 600 },
      'below-default',
      'Limit 150 W, 300 W below the default 450 W; range 150–600 W (at the minimum)',
    ],
    [{ currentW: 300, defaultW: null, minW: null, maxW: null }, 'unknown', 'Limit 300 W'],
  ] as const)('%o → %s', (limits, position, start) => {
    const e = explainPowerLimit(withPower(limits));
    expect(e.position).toBe(position);
    expect(e.summary.startsWith(start)).toBe(true);
  });

  it('copes with a card that reports nothing', () => {
    const e = explainPowerLimit(
      withPower({ currentW: null, defaultW: null, minW: null, maxW: null, enforcedW: null }, null),
    );
    expect(e.summary).toBe('This GPU does not report its power draw or limit.');
    expect(e.drawPctOfLimit).toBeNull();
    expect(e.adjustable).toBe(false);
  });

  it('says so when the range is a single value', () => {
    const e = explainPowerLimit(withPower({ currentW: 170, defaultW: 170, minW: 170, maxW: 170 }));
    expect(e.adjustable).toBe(false);
    expect(e.tradeoff).toMatch(/does not allow/);
  });

  it('notes a lower enforced limit', () => {
    const e = explainPowerLimit(withPower({ currentW: 700, enforcedW: 500 }));
    expect(e.enforcedNote).toMatch(/enforces 500 W, not the 700 W/);
  });
});

describe('powerLimitCommand', () => {
  it('builds the nvidia-smi command with the rights it needs', () => {
    const linux = powerLimitCommand(1, 449.6, undefined, 'linux');
    expect(linux.command).toBe('nvidia-smi -i 1 -pl 450');
    expect(linux.argv).toEqual(['nvidia-smi', '-i', '1', '-pl', '450']);
    expect(linux.note).toMatch(/sudo nvidia-smi -i 1 -pl 450/);
    expect(linux.note).toMatch(/never runs it/);
    expect(powerLimitCommand(0, 300, undefined, 'win32').note).toMatch(/Run as administrator/);
  });

  it.each([
    [-1, 300, /GPU index/],
    [0.5, 300, /GPU index/],
    [0, 0, /positive number/],
    [0, Number.NaN, /positive number/],
    [0, 100, /outside this GPU's power-limit range of 200–700 W/],
    [0, 800, /outside/],
  ])('refuses index %s, %s W', (index, watts, message) => {
    expect(() => powerLimitCommand(index, watts, h200)).toThrow(AppError);
    expect(() => powerLimitCommand(index, watts, h200)).toThrow(message);
  });

  it('accepts the ends of the range', () => {
    expect(powerLimitCommand(0, 200, h200).command).toBe('nvidia-smi -i 0 -pl 200');
    expect(powerLimitCommand(0, 700, h200).command).toBe('nvidia-smi -i 0 -pl 700');
  });
});

describe('powerAdviceFor (GpuInfo.powerAdvice, what the GPU area shows)', () => {
  it('explains the limit and offers no command when the card runs at its default', () => {
    expect(powerAdviceFor(h200, 'linux')).toEqual({
      summary: explainPowerLimit(h200).summary,
      tradeoff: explainPowerLimit(h200).tradeoff,
      enforcedNote: null,
      restoreDefault: null,
    });
  });

  it('offers the command that restores the default when the limit was moved', () => {
    const gpu = withPower({ currentW: 450, defaultW: 600, minW: 150, maxW: 600 });
    const a = powerAdviceFor(gpu, 'linux');
    expect(a.summary).toMatch(/150 W below the default 600 W/);
    expect(a.restoreDefault?.command).toBe(`nvidia-smi -i ${gpu.index} -pl 600`);
    expect(a.restoreDefault?.note).toMatch(/root rights.*never runs it/);
    const win = powerAdviceFor(gpu, 'win32');
    expect(win.restoreDefault?.note).toMatch(/Run as administrator/);
  });

  it('offers no command where the card does not let the limit move', () => {
    const gpu = withPower({ currentW: 300, defaultW: 350, minW: 300, maxW: 300 });
    expect(powerAdviceFor(gpu, 'linux').restoreDefault).toBeNull();
  });

  it('fills in every GPU of a snapshot', () => {
    const snap = withPowerAdvice({ gpus: [h200, withPower({ currentW: 450, defaultW: 700 })] });
    expect(snap.gpus.map((g) => g.powerAdvice?.restoreDefault?.command ?? null)).toEqual([
      null,
      `nvidia-smi -i ${h200.index} -pl 700`,
    ]);
  });
});
