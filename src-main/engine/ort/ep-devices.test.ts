import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { compileModel } from './compile';
import { initOrt } from './env';
import {
  getAvailableProviders,
  getEpDevices,
  registerExecutionProviderLibrary,
  unregisterExecutionProviderLibrary,
} from './ep-devices';
import { copyTensors } from './io-binding';
import { Allocator, MemoryInfo } from './memory-info';
import { Session } from './session';
import { SessionOptions } from './session-options';
import { failure, matmulChainModel } from './test-models';
import { OrtValue } from './value';

initOrt({ logLevel: 'error' });

describe('providers and EP devices', () => {
  it('lists CPUExecutionProvider among available providers and EP devices', () => {
    expect(getAvailableProviders()).toContain('CPUExecutionProvider');
    const devices = getEpDevices();
    const cpu = devices.find((d) => d.epName === 'CPUExecutionProvider');
    expect(cpu).toBeDefined();
    expect(cpu?.device.type).toBe('cpu');
    expect(typeof cpu?.device.vendor).toBe('string');
    expect(cpu?.epMetadata).toBeTypeOf('object');
    expect(cpu?.epOptions).toBeTypeOf('object');
    // CPU uses plain CPU memory: no EP memory info.
    expect(cpu?.memoryInfo('default')).toBeNull();
  });

  it('appends an EP by device and by name; an unknown provider is PROVIDER_UNAVAILABLE', async () => {
    const cpu = getEpDevices().filter((d) => d.epName === 'CPUExecutionProvider');
    const so = SessionOptions.create().appendEpDevices(cpu, {});
    const s = await Session.fromBytes(matmulChainModel(1, 4), { options: so });
    s.release();
    so.release();
    const bad = SessionOptions.create();
    let err: unknown;
    try {
      bad.appendExecutionProvider('NoSuchProvider', { a: 'b' });
    } catch (e) {
      err = e;
    }
    bad.release();
    expect((err as AppError).code).toBe('PROVIDER_UNAVAILABLE');
    expect((err as AppError).message).toMatch(/^adding execution provider NoSuchProvider: /);
  });

  it('registering a missing library names the file', async () => {
    const err = await failure(registerExecutionProviderLibrary('Missing', '/nonexistent/libep.so'));
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.message).toBe('execution provider library not found: /nonexistent/libep.so');
  });

  // Windows: kernel32.dll loads but exports no CreateEpFactories, as libz on Linux.
  it.runIf(process.platform === 'linux' || process.platform === 'win32')(
    'registering a foreign library fails with ORT text',
    async () => {
      const libz =
        process.platform === 'win32'
          ? path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'kernel32.dll')
          : '/usr/lib/x86_64-linux-gnu/libz.so.1';
      const err = await failure(registerExecutionProviderLibrary('NotAnEp', libz));
      expect(err.code).toBe('PROVIDER_UNAVAILABLE');
      expect(err.message).toMatch(
        new RegExp(
          `^registering execution provider library 'NotAnEp' from ${libz.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}: .+`,
        ),
      );
      expect(err.detail).toMatch(/^ORT_/);
      // Nothing was registered under that name.
      expect(() => unregisterExecutionProviderLibrary('NotAnEp')).toThrow(AppError);
    },
  );

  it('creates memory infos and reaches the CPU allocator', () => {
    const cpu = MemoryInfo.cpu();
    expect(cpu.name).toBe('Cpu');
    expect(cpu.deviceType).toBe('cpu');
    const v2 = MemoryInfo.createV2('Custom', { deviceType: 'cpu', vendorId: 0, deviceId: 0 });
    expect(v2.name).toBe('Custom');
    const legacy = MemoryInfo.create('Cpu', 0, 'device', 'default');
    expect(legacy.deviceId).toBe(0);
    expect(Allocator.default()).toBe(Allocator.default());
    for (const m of [cpu, v2, legacy]) m.release();
  });
});

describe('the Compile API on CPU', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-compile-'));
  const input = path.join(dir, 'model.onnx');
  fs.writeFileSync(input, matmulChainModel(3, 8));

  it('with ERROR_IF_NO_NODES_COMPILED fails with ORT’s error (no EP compiles on CPU)', async () => {
    const so = SessionOptions.create();
    const out = path.join(dir, 'never.onnx');
    const err = await failure(
      compileModel({
        sessionOptions: so,
        input: { path: input },
        outputPath: out,
        errorIfNoNodesCompiled: true,
      }),
    );
    so.release();
    expect(err.code).toBe('ORT_ERROR');
    expect(err.detail).toBe('ORT_FAIL');
    expect(err.message).toMatch(new RegExp(`^compiling ${input} to ${out}: .+`));
    expect(fs.existsSync(out)).toBe(false);
  });

  it('without the flag writes an optimized model that loads and runs', async () => {
    const so = SessionOptions.create();
    const out = path.join(dir, 'compiled.onnx');
    await compileModel({
      sessionOptions: so,
      input: { bytes: fs.readFileSync(input) },
      outputPath: out,
      graphOptimizationLevel: 'basic',
      embedEpContext: false,
    });
    so.release();
    expect(fs.statSync(out).size).toBeGreaterThan(0);
    const s = await Session.create(out);
    const x = Float32Array.from({ length: 8 }, (_, i) => i);
    const y = await s.run({ X: { dtype: 'float32', dims: [1, 8], data: x } });
    expect(Array.from(y.Y?.data as Float32Array)).toEqual(Array.from(x));
    s.release();
    // ERROR_IF_OUTPUT_FILE_EXISTS refuses to overwrite it.
    const so2 = SessionOptions.create();
    const err = await failure(
      compileModel({
        sessionOptions: so2,
        input: { path: input },
        outputPath: out,
        errorIfOutputFileExists: true,
      }),
    );
    so2.release();
    expect(err.message).toContain(out);
  });
});

describe('CopyTensors', () => {
  // CopyTensors uses the data transfers that EPs register (host↔device); plain CPU↔CPU has none,
  // so on a CPU-only machine the call is checked for its clear failure. The GPU path needs a GPU.
  it('reports a missing data transfer clearly and checks its arguments', async () => {
    const src = OrtValue.fromHost({ dtype: 'int32', dims: [3], data: new Int32Array([1, 2, 3]) });
    const dst = OrtValue.fromHost({ dtype: 'int32', dims: [3], data: new Int32Array(3) });
    const err = await failure(copyTensors([src], [dst]));
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.detail).toBe('ORT_NOT_IMPLEMENTED');
    expect(err.message).toMatch(/^copying 1 tensor\(s\): .*[Dd]ata transfer/);
    await expect(copyTensors([src], [])).rejects.toThrow(/1 sources, 0 targets/);
    src.release();
    dst.release();
  });
});
