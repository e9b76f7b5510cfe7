/**
 * Labelled form fields the areas' forms share (run, benchmark, compile): a select over a list of
 * choices and a number input that keeps an empty or half-typed field empty instead of showing NaN.
 */
import type { ReactNode } from 'react';

/** One choice of a {@link SelectField}. */
export interface SelectOption<V extends string> {
  value: V;
  label: ReactNode;
  disabled?: boolean;
  /** Shown on hover: why a disabled choice cannot be taken. */
  title?: string;
}

/**
 * A labelled select. While `value` is null the select shows `placeholder` (an empty first choice)
 * when one is given; `onChange` gets the chosen value, or '' for the placeholder.
 */
export function SelectField<V extends string>(props: {
  label: string;
  value: V | null;
  options: readonly SelectOption<V>[];
  onChange: (value: V | '') => void;
  placeholder?: string;
  testId: string;
}) {
  return (
    <label className="field">
      <span className="field-label">{props.label}</span>
      <select
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value as V | '')}
        data-testid={props.testId}
      >
        {props.value === null && props.placeholder !== undefined && (
          <option value="">{props.placeholder}</option>
        )}
        {props.options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled} title={o.title}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * A number input showing `value`, or nothing while it is NaN (the field is empty or not a number
 * yet). `parse` turns the typed text into the number handed to `onChange`, NaN when it is not one.
 */
export function NumberInput(props: {
  value: number;
  parse: (text: string) => number;
  onChange: (value: number) => void;
  min?: number;
  step?: number;
  disabled?: boolean;
  /** Shown while the field is empty (what empty means). */
  placeholder?: string;
  testId: string;
}) {
  return (
    <input
      type="number"
      placeholder={props.placeholder}
      min={props.min}
      step={props.step}
      value={Number.isNaN(props.value) ? '' : props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange(props.parse(e.target.value))}
      data-testid={props.testId}
    />
  );
}

/** A labelled {@link NumberInput}. */
export function NumberField(props: Parameters<typeof NumberInput>[0] & { label: string }) {
  const { label, ...input } = props;
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <NumberInput {...input} />
    </label>
  );
}
