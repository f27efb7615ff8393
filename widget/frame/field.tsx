/** A labelled text field for the pre-chat, offline and rating forms (16px text: no zoom on focus on phones). */
import type { InputHTMLAttributes } from 'preact';

type FieldProps = { label: string; optionalLabel?: string } & InputHTMLAttributes<HTMLInputElement>;

export function Field({ label, optionalLabel, ...input }: FieldProps) {
  return (
    <label class="field">
      <span>
        {label}
        {!input.required && optionalLabel && ` ${optionalLabel}`}
      </span>
      <input {...input} />
    </label>
  );
}
