import { describe, expect, it } from 'vitest';
import koffi, { NATIVE_STACK_BYTES } from './koffi-setup';
import { initOrt } from '../engine/ort/env';

describe('koffi setup', () => {
  it('gives native calls an 8 MiB stack, sync and async (WebGPU/Dawn overflowed 128 KiB on a real GPU)', () => {
    initOrt({});
    const cfg = koffi.config() as { sync_stack_size: number; async_stack_size: number };
    expect(NATIVE_STACK_BYTES).toBe(8 * 1024 * 1024);
    expect(cfg.async_stack_size).toBe(NATIVE_STACK_BYTES);
    expect(cfg.sync_stack_size).toBe(NATIVE_STACK_BYTES);
  });
});
