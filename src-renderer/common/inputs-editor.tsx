/**
 * The inputs editor the Run, Bench and Compile forms share: per model input a source — the fill,
 * typed values, a file on this machine (.npy, .pb, a picture, a WAV, a .txt of token ids), or a
 * picture where the form offers one — and a shape for its unnamed dims; the named dims; an ONNX
 * test-data folder for every input; fill and seed; and "Check inputs", which shows what the plan
 * feeds with each default's reason (`inputs:check`). An error naming an input's file or name is
 * shown beside that input.
 *
 * A file's path: typed, or — in the desktop app — taken from a file dropped on the field or
 * picked (the preload bridge's getPathForFile). A page in browser mode has no file paths: the
 * path is typed, and the host, which runs on this machine, reads it there.
 *
 * common/ never imports stores: the form arrives as props shaped as state/inputs.ts InputsForm.
 */
import { type ReactNode, useRef } from 'react';
import type { InputsFed, ModelEntry, ValueInfo } from '../../src-main/ipc/contract';
import type { AppErrorData } from '../../src-main/shared/errors';
import { NumberInput, SelectField } from '../ui/field';
import { ErrorNotice } from './error-notice';

/** Where one input's data comes from (state/inputs.ts SourceKind). */
export type EditorSourceKind = 'fill' | 'values' | 'file' | 'picture';
type EditorFill = 'random' | 'zeros' | 'ones';

/** The form as the editor reads it (state/inputs.ts InputsForm). */
export interface EditorForm {
  dims: Record<string, number>;
  fill: EditorFill;
  seed: number;
  values?: Record<string, string>;
  shapes?: Record<string, string>;
  files?: Record<string, string>;
  testData?: string;
}

/** One change (state/inputs.ts InputsPatch). */
export interface EditorPatch {
  dims?: Record<string, number>;
  fill?: EditorFill;
  seed?: number;
  values?: Record<string, string>;
  shapes?: Record<string, string>;
  files?: Record<string, string>;
  kinds?: Record<string, EditorSourceKind>;
  testData?: string;
}

/** The last "Check inputs" answer (state/inputs.ts InputsCheck). */
export interface EditorCheck {
  status: 'idle' | 'checking' | 'done' | 'failed';
  result: InputsFed | null;
  error: AppErrorData | null;
}

const FILLS: { value: EditorFill; label: string }[] = [
  { value: 'random', label: 'Random' },
  { value: 'zeros', label: 'Zeros' },
  { value: 'ones', label: 'Ones' },
];

/** The sources offered: one field takes values, and an empty one means the fill. */
const SOURCE_LABELS: Record<Exclude<EditorSourceKind, 'fill'>, string> = {
  values: 'Values / fill',
  file: 'File',
  picture: 'Picture',
};

/** A model shape as people read it, unnamed dims as ?: [?, 4]. */
export function describeShape(shape: ValueInfo['shape']): string {
  return shape === null ? 'any shape' : `[${shape.map((d) => d ?? '?').join(', ')}]`;
}

/** An integer typed in a field, or NaN while the field is empty or not a whole number. */
function parseInteger(text: string): number {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
}

/** The inputs part of a form. `testId` prefixes every field's test id (run, bench, compile). */
export function InputsEditor(props: {
  testId: string;
  model: ModelEntry;
  form: EditorForm;
  kindOf: (input: string) => EditorSourceKind;
  onChange: (patch: EditorPatch) => void;
  /** What an empty named-dim field means on this form, in words ("the default"). */
  dimsWhenEmpty: string;
  /** The picture controls of an input that takes a picture, where the form offers them. */
  pictureFor?: (input: ValueInfo) => ReactNode | null;
  /** A dropped or picked file's path (the desktop app); absent in browser mode. */
  pathForFile?: (file: File) => string;
  /** An error of the form's or the main side's, and the input it names ('testData', or null). */
  error: AppErrorData | null;
  errorInput: string | null;
  check: EditorCheck;
  onCheck: () => void;
  /** The CLI command the same choices go to, for the replay line: run, bench or compile. */
  command: 'run' | 'bench' | 'compile';
}) {
  const { testId, model, form, kindOf, onChange } = props;
  const inputs = model.inspection?.inputs ?? [];
  const dimNames = model.inspection?.dynamicDims ?? [];
  const anyFile = inputs.some((i) => kindOf(i.name) === 'file');
  const allSet = inputs.length > 0 && inputs.every((i) => kindOf(i.name) !== 'fill');
  const beside = (name: string) =>
    props.error !== null && props.errorInput === name ? (
      <ErrorNotice error={props.error} testId={`${testId}-error-${name}`} />
    ) : null;
  return (
    <div className="inputs-editor" data-testid={testId}>
      {dimNames.length > 0 && (
        <fieldset className="fieldset">
          <legend>Dynamic dimensions (empty: {props.dimsWhenEmpty})</legend>
          {dimNames.map((name) => (
            <label key={name} className="field field-inline">
              <mark className="dim-dynamic">{name}</mark>
              <NumberInput
                min={1}
                step={1}
                value={form.dims[name] ?? Number.NaN}
                placeholder="auto"
                parse={parseInteger}
                onChange={(v) => onChange({ dims: { [name]: v } })}
                testId={`${testId}-dim-${name}`}
              />
            </label>
          ))}
        </fieldset>
      )}
      {inputs.length > 0 && (
        <fieldset className="fieldset" data-testid={`${testId}-list`}>
          <legend>Inputs</legend>
          {inputs.map((input) => (
            <InputRow
              key={input.name}
              testId={testId}
              input={input}
              form={form}
              kind={kindOf(input.name)}
              onChange={onChange}
              picture={props.pictureFor?.(input) ?? null}
              pathForFile={props.pathForFile}
              error={beside(input.name)}
            />
          ))}
          {anyFile && props.pathForFile === undefined && (
            <p className="muted inputs-note" data-testid={`${testId}-path-note`}>
              Browser mode: a page cannot see file paths, so type the file&apos;s full path. The
              host runs on this machine and reads the file there.
            </p>
          )}
        </fieldset>
      )}
      <label className="field">
        <span className="field-label">
          ONNX test-data folder (optional: every input not set above from its .pb files)
        </span>
        <input
          className="mono"
          data-testid={`${testId}-test-data`}
          placeholder="/path/to/test_data_set_0"
          value={form.testData ?? ''}
          onChange={(e) => onChange({ testData: e.target.value })}
        />
      </label>
      {beside('testData')}
      {/* A fill only matters while some input takes it. */}
      {!allSet && (
        <div className="field-row">
          <SelectField
            label="Fill (inputs set to Fill)"
            value={form.fill}
            options={FILLS}
            onChange={(f) => onChange({ fill: f as EditorFill })}
            testId={`${testId}-fill`}
          />
          <label className="field">
            <span className="field-label">Seed</span>
            <NumberInput
              step={1}
              value={form.seed}
              parse={parseInteger}
              disabled={form.fill !== 'random'}
              onChange={(seed) => onChange({ seed })}
              testId={`${testId}-seed`}
            />
          </label>
        </div>
      )}
      <div className="inputs-check">
        <button
          type="button"
          className="button"
          onClick={props.onCheck}
          disabled={props.check.status === 'checking'}
          data-testid={`${testId}-check`}
        >
          {props.check.status === 'checking' ? 'Checking…' : 'Check inputs'}
        </button>
        <span className="muted">what these choices feed, each default with its reason</span>
      </div>
      {props.check.status === 'failed' &&
        props.check.error !== null &&
        props.check.error !== props.error && (
          <ErrorNotice error={props.check.error} testId={`${testId}-check-error`} />
        )}
      {props.check.status === 'done' && props.check.result !== null && (
        <FedRecord
          fed={props.check.result}
          testId={`${testId}-checked`}
          title="What these choices feed"
          command={`crucible ${props.command} ${quoteArg(model.path)}`}
        />
      )}
    </div>
  );
}

/** One input's row: name and type, source, its value or path or picture, its shape. */
function InputRow(props: {
  testId: string;
  input: ValueInfo;
  form: EditorForm;
  kind: EditorSourceKind;
  onChange: (patch: EditorPatch) => void;
  picture: ReactNode | null;
  pathForFile?: (file: File) => string;
  error: ReactNode;
}) {
  const { testId, input, form, kind, onChange } = props;
  const name = input.name;
  const picker = useRef<HTMLInputElement>(null);
  const unnamed = (input.shape ?? []).some((d) => d === null);
  const kinds: Exclude<EditorSourceKind, 'fill'>[] = ['values', 'file'];
  if (props.picture !== null) kinds.push('picture');
  const shown = kind === 'fill' ? 'values' : kind;
  const takeFile = (files: FileList | null) => {
    const f = files?.[0];
    if (f === undefined || props.pathForFile === undefined) return;
    const p = props.pathForFile(f);
    if (p) onChange({ files: { [name]: p }, kinds: { [name]: 'file' } });
  };
  return (
    <div className="inputs-row" data-testid={`${testId}-input-${name}`}>
      <div className="inputs-row-main">
        <span className="mono inputs-name" title={describeShape(input.shape)}>
          {name}{' '}
          <span className="muted">
            {input.dtype} {describeShape(input.shape)}
          </span>
        </span>
        <select
          aria-label={`Source of ${name}`}
          value={shown}
          data-testid={`${testId}-source-${name}`}
          onChange={(e) => onChange({ kinds: { [name]: e.target.value as EditorSourceKind } })}
        >
          {kinds.map((k) => (
            <option key={k} value={k}>
              {SOURCE_LABELS[k]}
            </option>
          ))}
        </select>
        {shown === 'values' && (
          <input
            aria-label={`Values for ${name}`}
            className="inputs-field"
            data-testid={`${testId}-value-${name}`}
            placeholder="values, e.g. 16000 (empty: the fill below)"
            value={form.values?.[name] ?? ''}
            onChange={(e) => onChange({ values: { [name]: e.target.value } })}
          />
        )}
        {kind === 'file' && (
          <span className="inputs-field inputs-file">
            <input
              aria-label={`File for ${name}`}
              className="mono"
              data-testid={`${testId}-file-${name}`}
              placeholder={
                props.pathForFile ? 'a path, or drop a file here' : 'the full path of a file'
              }
              title=".npy, .pb, a picture (.png …), a .wav at the model's rate, or a .txt of token ids"
              value={form.files?.[name] ?? ''}
              onChange={(e) => onChange({ files: { [name]: e.target.value } })}
              onDragOver={(e) => {
                if (props.pathForFile) e.preventDefault();
              }}
              onDrop={(e) => {
                if (!props.pathForFile) return;
                e.preventDefault();
                takeFile(e.dataTransfer.files);
              }}
            />
            {props.pathForFile && (
              <>
                <button type="button" className="button" onClick={() => picker.current?.click()}>
                  Choose…
                </button>
                <input
                  ref={picker}
                  type="file"
                  hidden
                  onChange={(e) => {
                    takeFile(e.target.files);
                    e.target.value = '';
                  }}
                />
              </>
            )}
          </span>
        )}
        {kind === 'picture' && <span className="muted inputs-field">the picture below</span>}
        {unnamed && (
          <input
            aria-label={`Shape of ${name}`}
            data-testid={`${testId}-shape-${name}`}
            className="mono inputs-shape"
            title="Sizes by position; ? leaves a dim to the default"
            placeholder={describeShape(input.shape)
              .replace(/^\[|\]$/g, '')
              .replace(/, /g, 'x')}
            value={form.shapes?.[name] ?? ''}
            onChange={(e) => onChange({ shapes: { [name]: e.target.value } })}
          />
        )}
      </div>
      {/* A picture can be dropped on the row while it takes values or the fill: it becomes the source. */}
      {kind !== 'file' && props.picture}
      {props.error}
    </div>
  );
}

/**
 * What a run, benchmark or compile was fed (or a check says it will be): per input its dtype,
 * dims and source with notes; the dims that were not fixed, each with why; the replay arguments.
 */
export function FedRecord(props: {
  fed: InputsFed;
  testId: string;
  title?: string;
  /** The command the replay arguments follow ("crucible bench /models/a.onnx"). */
  command?: string;
}) {
  const { fed } = props;
  return (
    <div className="fed-record" data-testid={props.testId}>
      <p className="field-label">{props.title ?? 'Fed'}</p>
      <ul className="fed-list">
        {fed.fed.map((f) => (
          <li key={f.name} data-testid={`${props.testId}-${f.name}`}>
            <span className="mono">{f.name}</span>{' '}
            <span className="muted">
              {f.dtype} [{f.dims.join(', ')}]
            </span>{' '}
            — {f.source}
            {f.notes.length > 0 && <span className="muted"> ({f.notes.join('; ')})</span>}
          </li>
        ))}
      </ul>
      {fed.dimChoices.length > 0 && (
        <>
          <p className="field-label">Dims not fixed by the model</p>
          <ul className="fed-list" data-testid={`${props.testId}-dims`}>
            {fed.dimChoices.map((c) => (
              <li key={`${c.input}-${c.index}`}>
                <span className="mono">
                  {c.input}[{c.index}]{c.dim === null ? '' : ` ${c.dim}`} = {c.value}
                </span>{' '}
                <span className="muted">{c.why}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="field-label">These inputs again, with the CLI</p>
      <code className="mono fed-replay" data-testid={`${props.testId}-replay`}>
        {[...(props.command ? [props.command] : []), ...fed.replay.map(quoteArg)].join(' ')}
      </code>
    </div>
  );
}

/** A shell argument, quoted when it holds anything a shell would split or expand. */
export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
