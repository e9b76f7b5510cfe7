/**
 * WAV files as float audio, for audio model inputs (voice-activity detectors, wake-word models,
 * speech encoders): RIFF/WAVE with PCM 8/16/24/32-bit integer or 32/64-bit float samples, any
 * channel count (mixed down to mono), and a linear resampler to the model's rate.
 */
import { AppError } from '../../shared/errors';

/** Largest WAV read: an hour of 48 kHz stereo float32 is ~1.4 GB; past 1 GiB is surely a mistake. */
export const MAX_WAV_BYTES = 2 ** 30;

/** Decoded audio: mono samples in [-1, 1] at `rate` Hz. */
export interface Audio {
  rate: number;
  channels: number;
  samples: Float32Array;
}

/** Decodes WAV bytes (`file` names it in errors): INPUT_INVALID for anything not readable. */
export function decodeWav(bytes: Uint8Array, file: string): Audio {
  const bad = (why: string) =>
    new AppError('INPUT_INVALID', `${file} is not a readable WAV file: ${why}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw bad('no RIFF/WAVE header');
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let data: Uint8Array | null = null;
  for (let o = 12; o + 8 <= bytes.length;) {
    const id = tag(o);
    const size = v.getUint32(o + 4, true);
    const body = o + 8;
    if (body + size > bytes.length && id !== 'data') throw bad(`chunk '${id}' runs past the end`);
    if (id === 'fmt ') {
      if (size < 16) throw bad('fmt chunk too short');
      let format = v.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (format === 0xfffe && size >= 26) format = v.getUint16(body + 24, true);
      fmt = {
        format,
        channels: v.getUint16(body + 2, true),
        rate: v.getUint32(body + 4, true),
        bits: v.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      // Some writers leave the data size 0 or too large when streaming: take what is there.
      data = bytes.subarray(body, Math.min(bytes.length, body + size));
      break;
    }
    o = body + size + (size & 1);
  }
  if (!fmt) throw bad('no fmt chunk');
  if (!data) throw bad('no data chunk');
  const { format, channels, rate, bits } = fmt;
  if (channels < 1 || rate < 1) throw bad(`${channels} channels at ${rate} Hz`);
  const isFloat = format === 3 && (bits === 32 || bits === 64);
  const isPcm = format === 1 && [8, 16, 24, 32].includes(bits);
  if (!isFloat && !isPcm) {
    throw bad(
      `format ${format} with ${bits}-bit samples; Crucible reads PCM 8/16/24/32-bit and float 32/64-bit`,
    );
  }
  const step = bits / 8;
  const frames = Math.floor(data.length / (step * channels));
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const sample = (o: number): number => {
    if (isFloat) return bits === 32 ? dv.getFloat32(o, true) : dv.getFloat64(o, true);
    switch (bits) {
      case 8:
        return (dv.getUint8(o) - 128) / 128;
      case 16:
        return dv.getInt16(o, true) / 32768;
      case 24: {
        const x = dv.getUint8(o) | (dv.getUint8(o + 1) << 8) | (dv.getInt8(o + 2) << 16);
        return x / 8388608;
      }
      default:
        return dv.getInt32(o, true) / 2147483648;
    }
  };
  const samples = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += sample((f * channels + c) * step);
    samples[f] = s / channels;
  }
  return { rate, channels, samples };
}

/** Linear resampling from `from` Hz to `to` Hz (enough for feeding a model, not for listening). */
export function resample(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples;
  const n = Math.max(1, Math.round((samples.length * to) / from));
  const out = new Float32Array(n);
  const ratio = from / to;
  for (let i = 0; i < n; i++) {
    const x = i * ratio;
    const i0 = Math.floor(x);
    const a = samples[Math.min(i0, samples.length - 1)] as number;
    const b = samples[Math.min(i0 + 1, samples.length - 1)] as number;
    out[i] = a + (b - a) * (x - i0);
  }
  return out;
}

/** Encodes mono float samples as a 16-bit PCM WAV (tests and fixtures). */
export function encodeWav16(samples: Float32Array, rate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const v = new DataView(out.buffer);
  const put = (o: number, s: string) => {
    for (let i = 0; i < 4; i++) out[o + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  put(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) =>
    v.setInt16(44 + i * 2, Math.max(-32768, Math.min(32767, Math.round(s * 32768))), true),
  );
  return out;
}
