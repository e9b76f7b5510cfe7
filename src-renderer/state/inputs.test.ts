// The inputs form the Run, Bench and Compile areas share: the plan it builds, where an error is
// shown, the check, and that bench:run and compile:enqueue carry the same plan as a run.
import { beforeEach, describe, expect, it } from 'vitest';
import { benchInputsChanged, benchModelChosen, benchRunRequested, resetBenchStore } from './bench';
import {
  compileFormChanged,
  compileInputsChanged,
  compileRequested,
  resetCompileStore,
  useCompileStore,
} from './compile';
import { createFakeApi } from './fake-api';
import { benchResult, compileJob, modelEntry } from './fixtures';
import {
  buildInputPlan,
  emptyInputsForm,
  inputOfError,
  inputsCheckRequested,
  inputsFormFor,
  patchInputs,
  planToCheck,
  resetInputsStore,
  sourceKindOf,
  useInputsStore,
  type InputsForm,
} from './inputs';
import { buildRunRequest, resetRunStore, runInputsChanged, useRunStore } from './run';
import { useBenchStore } from './bench';

beforeEach(() => {
  resetInputsStore();
  resetBenchStore();
  resetCompileStore();
  resetRunStore();
});

const form = (patch: Partial<InputsForm> = {}): InputsForm => ({ ...emptyInputsForm(), ...patch });

describe('buildInputPlan', () => {
  it('asks for nothing while every input takes the fill', () => {
    expect(buildInputPlan(form({ dims: { N: 2 } }))).toEqual({ plan: null });
  });

  it('builds values, a file and shapes, dropping dims that are not set', () => {
    const built = buildInputPlan(
      form({
        dims: { batch: 2, seq: Number.NaN },
        values: { sr: '16000', ids: ' 101, 2023 102 ' },
        files: { x: ' /data/x.npy ' },
        kinds: { x: 'file' },
        shapes: { state: '2x?x128' },
        fill: 'zeros',
        seed: 7,
      }),
    );
    expect(built).toEqual({
      plan: {
        sources: {
          sr: { kind: 'values', values: ['16000'] },
          ids: { kind: 'values', values: ['101', '2023', '102'] },
          x: { kind: 'file', path: '/data/x.npy' },
        },
        shapes: { state: [2, null, 128] },
        dims: { batch: 2 },
        fill: 'zeros',
        seed: 7,
        testData: null,
      },
    });
  });

  it('sends a test-data folder alone', () => {
    const built = buildInputPlan(form({ testData: ' /t/test_data_set_0 ' }));
    expect('plan' in built && built.plan?.testData).toBe('/t/test_data_set_0');
  });

  it('names the input of a file source without a path, and of a bad shape', () => {
    expect(buildInputPlan(form({ kinds: { x: 'file' } }))).toMatchObject({
      input: 'x',
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('"x"') },
    });
    expect(buildInputPlan(form({ shapes: { s: '2xax3' } }))).toMatchObject({ input: 's' });
    expect(buildInputPlan(form({ kinds: { img: 'picture' } }))).toMatchObject({ input: 'img' });
  });

  it('an input switched back from a file to values forgets the file', () => {
    const f = form({ files: { x: '/a.npy' }, kinds: { x: 'values' }, values: { x: '1 2' } });
    expect(sourceKindOf(f, 'x')).toBe('values');
    expect(buildInputPlan(f)).toMatchObject({
      plan: { sources: { x: { kind: 'values', values: ['1', '2'] } } },
    });
    // Values emptied: the fill, with nothing sent for it.
    expect(sourceKindOf({ ...f, values: { x: '' } }, 'x')).toBe('fill');
  });
});

describe('inputOfError', () => {
  const names = ['input', 'input_ids', 'x'];
  const f = form({ files: { x: '/tmp/e2e/x.npy' }, kinds: { x: 'file' }, testData: '/td/set' });
  const err = (message: string) => ({ code: 'INPUT_INVALID' as const, message });

  it("finds the input whose file the main side's message names, by path or by file name", () => {
    expect(inputOfError(err('/tmp/e2e/x.npy: no such file'), f, names)).toBe('x');
    expect(inputOfError(err('x.npy holds int64 values; the input takes float32'), f, names)).toBe(
      'x',
    );
  });

  it('finds the test-data folder, then a quoted input name (longest first)', () => {
    expect(inputOfError(err('/td/set has no input_0.pb'), f, names)).toBe('testData');
    expect(inputOfError(err("3 values do not fit input 'input_ids' [1, ?]"), f, names)).toBe(
      'input_ids',
    );
    expect(inputOfError(err('the provider is not available'), f, names)).toBeNull();
    expect(inputOfError(null, f, names)).toBeNull();
  });
});

describe('inputsFormFor and patchInputs', () => {
  it('a new model gets its named dims (kept by name) and nothing per input', () => {
    const before = form({ dims: { N: 4 }, values: { a: '1' }, fill: 'ones', seed: 3 });
    const next = inputsFormFor(before, modelEntry(), null);
    expect(next).toMatchObject({ dims: { N: 4 }, values: {}, fill: 'ones', seed: 3 });
    expect(inputsFormFor(form(), modelEntry(), null).dims).toEqual({});
    expect(inputsFormFor(form(), modelEntry(), 1).dims).toEqual({ N: 1 });
  });

  it('merges per-input maps by name', () => {
    const f = patchInputs(form({ files: { a: '/a' } }), { files: { b: '/b' }, seed: 9 });
    expect(f.files).toEqual({ a: '/a', b: '/b' });
    expect(f.seed).toBe(9);
  });
});

describe('inputs:check', () => {
  it('keeps the record, and drops an answer for a plan since changed', async () => {
    const api = createFakeApi();
    const fed = { fed: [], dimChoices: [], replay: ['--seed', '1'] };
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    api.handle('inputs:check', async () => {
      await gate;
      return { ok: true, value: fed };
    });
    const first = inputsCheckRequested(api, 'bench', 'm', planToCheck(form(), null));
    const second = inputsCheckRequested(api, 'bench', 'm', planToCheck(form({ seed: 2 }), null));
    release();
    await Promise.all([first, second]);
    expect(useInputsStore.getState().bench).toMatchObject({ status: 'done', result: fed });
    expect(api.calls.map((c) => (c.input as { inputs: { seed: number } }).inputs.seed)).toEqual([
      1, 2,
    ]);
    expect(useInputsStore.getState().bench.key).toContain('"seed":2');
  });
});

describe('the same plan for run, bench and compile', () => {
  const chosen = { kinds: { Input3: 'file' as const }, files: { Input3: '/d/digit.npy' } };
  const plan = {
    sources: { Input3: { kind: 'file', path: '/d/digit.npy' } },
    shapes: {},
    fill: 'random',
    seed: 1,
    testData: null,
  };

  it('run:execute', () => {
    useRunStore.setState({
      form: { ...useRunStore.getState().form, modelId: 'm', provider: 'cpu' },
    });
    runInputsChanged(chosen);
    const built = buildRunRequest(useRunStore.getState().form);
    expect(built).toMatchObject({ request: { inputs: plan } });
  });

  it('bench:run', async () => {
    const api = createFakeApi();
    api.handle('bench:run', async () => ({ ok: true, value: benchResult() }));
    benchModelChosen(modelEntry());
    useBenchStore.setState((s) => ({ form: { ...s.form, provider: 'cpu' } }));
    benchInputsChanged({ ...chosen, dims: { N: 3 } });
    await benchRunRequested(api);
    expect(api.calls[0]?.input).toMatchObject({
      modelId: 'sha-mnist',
      dims: { N: 3 },
      inputs: { ...plan, dims: { N: 3 } },
    });
  });

  it('bench:run refuses a file source without a path, naming the input', async () => {
    const api = createFakeApi();
    benchModelChosen(modelEntry());
    useBenchStore.setState((s) => ({ form: { ...s.form, provider: 'cpu' } }));
    benchInputsChanged({ kinds: { Input3: 'file' } });
    await benchRunRequested(api);
    expect(api.calls).toHaveLength(0);
    expect(useBenchStore.getState().runError?.message).toContain('"Input3"');
  });

  it('compile:enqueue, with the dims of the compile', async () => {
    const api = createFakeApi();
    api.handle('compile:enqueue', async () => ({ ok: true, value: compileJob() }));
    compileFormChanged({ modelId: 'sha-mnist', provider: 'cpu' });
    compileInputsChanged(chosen);
    await compileRequested(api, modelEntry());
    // Nothing typed for N: the main side sizes it as a run would (from the inputs, else 1).
    expect(api.calls[0]?.input).toEqual({
      modelId: 'sha-mnist',
      provider: 'cpu',
      inputs: { ...plan, dims: {} },
    });
    compileInputsChanged({ dims: { N: 3 } });
    await compileRequested(api, modelEntry());
    expect(api.calls[1]?.input).toMatchObject({
      options: { dims: { N: 3 } },
      inputs: { ...plan, dims: { N: 3 } },
    });
    // Another model: its inputs start over.
    compileFormChanged({ modelId: 'other' });
    expect(useCompileStore.getState().form.inputs.files).toEqual({});
  });
});
