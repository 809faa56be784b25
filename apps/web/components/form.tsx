"use client";

import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode } from "react";

/** What a field hands its control: the id its label points at, and the wiring to its hint and error. */
interface ControlProps {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
}

interface FieldProps {
  label: ReactNode;
  /** A fixed id for the control; without one a unique id is made. */
  id?: string | undefined;
  hint?: ReactNode;
  /** Shown under the control, which is marked invalid and described by it. */
  error?: string | undefined;
  /** The id of an error shown elsewhere (such as the page's alert): the control is marked invalid and described by it. */
  errorId?: string | undefined;
  className?: string | undefined;
  children: (control: ControlProps) => ReactNode;
}

/** The markup every field shares: a label, a hint and an error, tied to the control for screen readers. */
function Field({ label, id: fixedId, hint, error, errorId: outsideErrorId, className, children }: FieldProps) {
  const madeId = useId();
  const id = fixedId ?? madeId;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : outsideErrorId;
  return (
    <div className={`field${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {children({
        id,
        "aria-invalid": errorId ? true : undefined,
        "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") || undefined,
      })}
      {error ? <FieldError id={errorId!} message={error} /> : null}
    </div>
  );
}

type FieldOptions = Omit<FieldProps, "children">;

interface TextFieldProps extends FieldOptions, Omit<InputHTMLAttributes<HTMLInputElement>, keyof FieldOptions | "onChange"> {
  /** Called with the new text; leave it out for an uncontrolled input (`defaultValue`). */
  onChange?: (value: string) => void;
}

/** A labelled input; `className` goes on the field around it. */
export function TextField({ label, id, hint, error, errorId, className, onChange, ...input }: TextFieldProps) {
  return (
    <Field label={label} id={id} hint={hint} error={error} errorId={errorId} className={className}>
      {(control) => <input {...control} onChange={onChange && ((event) => onChange(event.target.value))} {...input} />}
    </Field>
  );
}

interface SelectFieldProps extends FieldOptions {
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  disabled?: boolean;
}

export function SelectField({ name, value, onChange, options, disabled, ...field }: SelectFieldProps) {
  return (
    <Field {...field}>
      {(control) => (
        <select {...control} name={name} value={value} disabled={disabled} onChange={(event) => onChange(event.target.value)}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function CheckboxField({
  label,
  checked,
  onChange,
  hint,
  asSwitch = false,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** Under the box, and read out with it. */
  hint?: ReactNode;
  /** Announced as a switch (on/off) rather than a checkbox: for settings that take effect once saved. */
  asSwitch?: boolean;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="check-field">
      <div className="check">
        <input
          id={id}
          type="checkbox"
          role={asSwitch ? "switch" : undefined}
          checked={checked}
          aria-describedby={hintId}
          onChange={(event) => onChange(event.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint ? (
        <p id={hintId} className="field-hint check-hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function FieldError({ id, message }: { id: string; message: string }) {
  return (
    <p id={id} className="field-error">
      <span aria-hidden="true">⚠ </span>
      {message}
    </p>
  );
}

/** The form-level error: announced and focused when it appears, so keyboard users land on it. */
export function FormError({ message }: { message: string | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) ref.current?.focus();
  }, [message]);
  if (!message) return null;
  return (
    <div ref={ref} role="alert" tabIndex={-1} className="alert alert-error">
      {message}
    </div>
  );
}

export function SubmitButton({
  pending,
  children,
  pendingLabel,
  variant = "primary",
}: {
  pending: boolean;
  children: ReactNode;
  pendingLabel?: string;
  variant?: "primary" | "danger";
}) {
  return (
    <button type="submit" className={`btn btn-${variant}`} disabled={pending} aria-disabled={pending}>
      {pending ? (pendingLabel ?? "Saving…") : children}
    </button>
  );
}
