import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nvidiaSmiCommand } from '../../src-main/gpu/nvidia-smi';
import { laneCommands, SETTING_FLAGS, settingFlagsIn } from './commands';

describe('the commands the lane runs', () => {
  const commands = laneCommands();

  it('are nvidia-smi read-only queries with no setting flag', () => {
    expect(commands.map((c) => c.id)).toEqual([
      'nvidia-smi-query',
      'nvidia-smi-q',
      'nvidia-smi-banner',
    ]);
    for (const c of commands) {
      expect(c.file).toBe('nvidia-smi');
      expect(settingFlagsIn(c.args), `${c.id}: ${c.args.join(' ')}`).toEqual([]);
    }
  });

  it('include exactly the query the GPU monitor falls back to', () => {
    expect(commands[0]?.args).toEqual(nvidiaSmiCommand().args);
    // The monitor's other nvidia-smi call is the plain banner (no arguments): also in the list.
    expect(commands.some((c) => c.args.length === 0)).toBe(true);
  });

  it('are only started by lane.ts, through execLaneCommand', () => {
    // Every lane file that reaches for child_process, except the bundle builder, which runs tar,
    // xz and apt-get on the development machine and never travels to the GPU host.
    const here = __dirname;
    const users = fs
      .readdirSync(here)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'bundle-linux-gpu.ts')
      .filter((f) => /from 'node:child_process'/.test(fs.readFileSync(path.join(here, f), 'utf8')));
    expect(users).toEqual(['lane.ts']);
    const lane = fs.readFileSync(path.join(here, 'lane.ts'), 'utf8');
    expect(lane.match(/execFile\(/g)).toHaveLength(1);
    expect(lane).toMatch(/execFile\(\s*cmd\.file,\s*cmd\.args,/);
  });
});

describe('settingFlagsIn', () => {
  it.each([
    [['-pl', '300'], ['-pl']],
    [['--power-limit=300'], ['--power-limit']],
    [['-i', '0', '-lgc', '1000,1980'], ['-lgc']],
    [['-rgc'], ['-rgc']],
    [['-pm', '1'], ['-pm']],
    [['-r'], ['-r']],
    [['-e', '0'], ['-e']],
    [['-c', 'EXCLUSIVE_PROCESS'], ['-c']],
    [['-mig', '1'], ['-mig']],
    [['-ac', '2619,1980'], ['-ac']],
    [['-rac'], ['-rac']],
    [['mig', '-cgi', '9'], ['mig']],
  ])('finds the setting in %j', (args, found) => {
    expect(settingFlagsIn(args)).toEqual(found);
  });

  it.each([
    [['--query-gpu=power.limit,clocks.sm', '--format=csv,nounits']],
    [['-q']],
    [['-q', '-d', 'POWER']],
    [[]],
  ])('finds nothing in the read-only %j', (args) => {
    expect(settingFlagsIn(args)).toEqual([]);
  });

  it('knows the flags the brief names', () => {
    for (const f of [
      '-pl',
      '-lgc',
      '-rgc',
      '-pm',
      '-r',
      '--power-limit',
      '-ac',
      '-rac',
      '-e',
      '-c',
      '-mig',
    ]) {
      expect(SETTING_FLAGS).toContain(f);
    }
  });
});
