import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src-main/shared/errors';
import { ERROR_MESSAGES, describeError } from './error-messages';

describe('error table', () => {
  it('has words and an action for every error code, and nothing else', () => {
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      expect(ERROR_MESSAGES[code].title.trim().length, code).toBeGreaterThan(3);
      expect(ERROR_MESSAGES[code].action.trim().length, code).toBeGreaterThan(10);
    }
  });

  it('keeps the main side’s message and detail', () => {
    expect(
      describeError({ code: 'FILE_NOT_FOUND', message: 'a.onnx is gone', detail: '/x/a.onnx' }),
    ).toEqual({
      title: 'File not found',
      action: ERROR_MESSAGES.FILE_NOT_FOUND.action,
      message: 'a.onnx is gone',
      detail: '/x/a.onnx',
    });
  });

  it('treats an unknown code as internal', () => {
    const text = describeError({ code: 'NOPE' as never, message: 'm' });
    expect(text.title).toBe(ERROR_MESSAGES.INTERNAL.title);
  });
});

describe('files that are not models', () => {
  it('a .txt is "not an ONNX model", with no export hint', () => {
    const d = describeError({
      code: 'MODEL_INVALID',
      message: 'notes.txt is not an ONNX model (.onnx)',
    });
    expect(d.title).toBe('This is not an ONNX model');
    expect(d.action).not.toMatch(/export/i);
    const broken = describeError({
      code: 'MODEL_INVALID',
      message: 'm.onnx is not an ONNX model: truncated',
    });
    expect(broken.action).toMatch(/torch\.onnx\.export/);
  });
});
