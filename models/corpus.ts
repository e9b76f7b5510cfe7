/**
 * The model corpus: models/corpus.json lists every built-in model with its inputs, the output
 * shapes expected for stated input dims, and the expected outcome. Engine integration tests, the
 * benchmarks and the e2e read it instead of hard-coding shapes. This module holds its types and
 * writes it in the repo's Prettier style, so `prettier --check` passes on the generated file.
 */

/** Name of the corpus file inside the models folder. */
export const CORPUS_FILE = 'corpus.json';

/** A graph input as the corpus states it; strings in `shape` are symbolic (dynamic) dims. */
export interface CorpusInput {
  name: string;
  dtype: 'float32';
  shape: (number | string)[];
  /** The range the model expects values in, when it matters (images in [0, 1]). */
  range?: [number, number];
}

/** A graph output as the corpus states it. */
export interface CorpusOutput {
  name: string;
  dtype: 'float32';
  shape: (number | string)[];
}

/** One way to run the model: symbolic dim values, the resulting input and output shapes. */
export interface CorpusCase {
  /** Values for the symbolic dims, by name (the same map a run request carries). */
  dims: Record<string, number>;
  inputs: Record<string, number[]>;
  outputs: Record<string, number[]>;
  /** FLOPs of one inference at these dims (2 per multiply-add of Conv, Gemm and MatMul). */
  flops: number;
}

/** One model of the corpus. */
export interface CorpusModel {
  id: string;
  /** Path of the .onnx file, relative to the models folder, '/'-separated. */
  file: string;
  /** Other files the model needs (external data), relative to the models folder. */
  companions: string[];
  purpose: string;
  opset: number;
  parameters: number;
  inputs: CorpusInput[];
  outputs: CorpusOutput[];
  cases: CorpusCase[];
  /** What loading and running it should do on every provider. */
  expect: 'ok';
}

/** The whole corpus file. */
export interface Corpus {
  version: 1;
  generator: string;
  models: CorpusModel[];
}

const PRINT_WIDTH = 100;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON laid out as Prettier lays out a .json file written this way: objects always open one key
 * per line, arrays of scalars stay on one line when that fits in the print width.
 */
export function formatJson(value: unknown): string {
  const render = (v: unknown, indent: string, column: number): string => {
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      if (v.every((x) => !isPlainObject(x) && !Array.isArray(x))) {
        const flat = `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
        // +1 for a trailing comma that may follow.
        if (column + flat.length + 1 <= PRINT_WIDTH) return flat;
      }
      const inner = indent + '  ';
      const items = v.map((x) => inner + render(x, inner, inner.length));
      return `[\n${items.join(',\n')}\n${indent}]`;
    }
    if (isPlainObject(v)) {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return '{}';
      const inner = indent + '  ';
      const lines = entries.map(([k, x]) => {
        const key = `${JSON.stringify(k)}: `;
        return inner + key + render(x, inner, inner.length + key.length);
      });
      return `{\n${lines.join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(v);
  };
  return render(value, '', 0) + '\n';
}
