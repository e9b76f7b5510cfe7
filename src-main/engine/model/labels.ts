/**
 * Class labels for a classifier's outputs: from the model's own metadata (metadata_props keys
 * exporters write: `labels`, `classes`, `names` as Ultralytics writes them, Hugging Face's
 * `id2label`) or from a labels file beside the model (labels.txt, classes.txt, synset.txt,
 * imagenet_classes.txt, labels.json, a Hugging Face config.json with id2label). Read once when the
 * model is inspected; an output whose last dim equals the label count gets them in its top-k.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { onnx } from 'onnx-proto';

/** Labels and where they came from ("metadata_props 'names'", "labels.txt beside the model"). */
export interface ModelLabels {
  from: string;
  names: string[];
}

/** Most labels kept (ImageNet-21k has 21,843); past that it is not a label list. */
const MAX_LABELS = 100_000;
/** Largest labels file read. */
const MAX_LABEL_FILE_BYTES = 8 * 2 ** 20;

const METADATA_KEYS = ['labels', 'classes', 'class_names', 'names', 'id2label', 'synset'];

/**
 * A label list from text: a JSON array, a JSON object of index → label (id2label), a Python dict
 * literal (`{0: 'person', 1: 'bicycle'}`, Ultralytics), or one label per line. Null when the text
 * holds no labels.
 */
export function parseLabels(text: string): string[] | null {
  const t = text.trim();
  if (t === '') return null;
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(t);
      const list = labelsOfJson(v);
      if (list) return list;
    } catch {
      // not JSON: perhaps a Python dict literal
    }
    if (t.startsWith('{')) {
      const byIndex = new Map<number, string>();
      for (const m of t.matchAll(/(\d+)\s*:\s*(['"])((?:(?!\2).)*)\2/g))
        byIndex.set(Number(m[1]), m[3] as string);
      return fromIndexMap(byIndex);
    }
  }
  const lines = t.split(/\r?\n/).map((l) => l.trim());
  if (lines.length > MAX_LABELS) return null;
  // synset_words.txt: "n01440764 tench, Tinca tinca" — the WordNet id is not the label.
  return lines.map((l) => l.replace(/^n\d{8}\s+/, ''));
}

function labelsOfJson(v: unknown): string[] | null {
  if (Array.isArray(v)) {
    return v.length > 0 && v.length <= MAX_LABELS && v.every((x) => typeof x === 'string')
      ? (v as string[])
      : null;
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (o.id2label !== undefined) return labelsOfJson(o.id2label);
    const byIndex = new Map<number, string>();
    for (const [k, x] of Object.entries(o)) {
      if (/^\d+$/.test(k) && typeof x === 'string') byIndex.set(Number(k), x);
    }
    return fromIndexMap(byIndex);
  }
  return null;
}

/** An index → label map as a list, when the indices are 0…n-1 (the gaps would misplace labels). */
function fromIndexMap(byIndex: Map<number, string>): string[] | null {
  const n = byIndex.size;
  if (n === 0 || n > MAX_LABELS) return null;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const l = byIndex.get(i);
    if (l === undefined) return null;
    out.push(l);
  }
  return out;
}

/** Labels from a model's metadata_props, or null. */
export function labelsFromMetadata(model: onnx.IModelProto): ModelLabels | null {
  const props = new Map((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  for (const key of METADATA_KEYS) {
    const v = props.get(key);
    const names = v === undefined ? null : parseLabels(v);
    if (names) return { from: `the model's metadata_props '${key}'`, names };
  }
  return null;
}

/** Labels files looked for beside a model, most specific first (`<stem>` is the model's name). */
export function labelFileNames(modelFileName: string): string[] {
  const stem = modelFileName.replace(/\.onnx$/i, '');
  return [
    `${stem}.labels.txt`,
    `${stem}_labels.txt`,
    'labels.txt',
    'classes.txt',
    'class_names.txt',
    'synset.txt',
    'synset_words.txt',
    'imagenet_classes.txt',
    'labels.json',
    'config.json',
  ];
}

/**
 * Labels for a model: its metadata first, else the first labels file beside it that parses.
 * Never throws: a missing or unreadable file is no labels.
 */
export async function findLabels(
  model: onnx.IModelProto,
  dir: string,
  modelFileName: string,
): Promise<ModelLabels | null> {
  const fromMeta = labelsFromMetadata(model);
  if (fromMeta) return fromMeta;
  for (const name of labelFileNames(modelFileName)) {
    const file = path.join(dir, name);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile() || st.size > MAX_LABEL_FILE_BYTES) continue;
    const text = await readFile(file, 'utf8').catch(() => null);
    const names = text === null ? null : parseLabels(text);
    // config.json without id2label is a model config, not labels.
    if (names && !(name === 'config.json' && !/"id2label"/.test(text ?? ''))) {
      return { from: `${name} beside the model`, names };
    }
  }
  return null;
}
