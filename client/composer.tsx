/** A message box with a send button, for visitors and agents: Enter sends, Shift+Enter adds a line. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

interface ComposerProps {
  /** The textbox's accessible name, shown to screen readers only. */
  label: string;
  placeholder: string;
  sendLabel: string;
  maxLength: number;
  /** Inside the form, before the textbox: more fields (validated with it) or pending attachments. */
  before?: ComponentChildren;
  /** Next to the textbox, before it: e.g. an attach button. */
  tools?: ComponentChildren;
  /** Send may go with no text (attachments are waiting). */
  allowEmpty?: boolean;
  /** Send does nothing meanwhile (uploads still running). */
  disabled?: boolean;
  /** Every change of the text, for typing indicators. */
  onDraft?(text: string): void;
  onPaste?(event: ClipboardEvent): void;
  /** A promise keeps the text in the box until it resolves, and there when it rejects. */
  onSend(body: string): void | Promise<unknown>;
}

export function Composer(props: ComposerProps) {
  const { label, placeholder, sendLabel, maxLength, before, tools, allowEmpty = false, disabled = false } = props;
  const [text, setText] = useState('');
  const [pending, setPending] = useState(false);
  const submit = (event: Event): void => {
    event.preventDefault();
    const body = text.trim();
    if ((!body && !allowEmpty) || disabled || pending) return;
    const sent = props.onSend(body);
    if (!sent) return setText('');
    setPending(true);
    sent.then(() => setText(''), () => {}).finally(() => setPending(false));
  };
  return (
    <form class="composer" onSubmit={submit}>
      {before}
      {tools}
      <textarea
        aria-label={label}
        rows={1}
        maxLength={maxLength}
        placeholder={placeholder}
        value={text}
        onInput={(event) => {
          setText(event.currentTarget.value);
          props.onDraft?.(event.currentTarget.value);
        }}
        onPaste={props.onPaste}
        onKeyDown={(event) => {
          // isComposing: Enter also confirms a candidate in Chinese and Japanese input methods.
          // requestSubmit, not submit: the form's other fields are validated first.
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            event.currentTarget.form?.requestSubmit();
          }
        }}
      />
      <button type="submit" aria-disabled={disabled || pending}>
        {sendLabel}
      </button>
    </form>
  );
}
