/** A message box with a send button, for visitors and agents: Enter sends, Shift+Enter adds a line. */
import { useEffect, useRef, useState } from 'preact/hooks';

interface ComposerProps {
  /** The textbox's accessible name, shown to screen readers only. */
  label: string;
  placeholder: string;
  sendLabel: string;
  maxLength: number;
  /** Takes the focus whenever this turns true (the widget's panel opening). */
  focused?: boolean;
  onSend(body: string): void;
}

export function Composer({ label, placeholder, sendLabel, maxLength, focused = false, onSend }: ComposerProps) {
  const [text, setText] = useState('');
  const textbox = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (focused) textbox.current?.focus();
  }, [focused]);
  const submit = (event: Event): void => {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    onSend(body);
    setText('');
  };
  return (
    <form class="composer" onSubmit={submit}>
      <textarea
        ref={textbox}
        aria-label={label}
        rows={1}
        maxLength={maxLength}
        placeholder={placeholder}
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          // isComposing: Enter also confirms a candidate in Chinese and Japanese input methods.
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) submit(event);
        }}
      />
      <button type="submit">{sendLabel}</button>
    </form>
  );
}
