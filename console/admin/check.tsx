/** A checkbox with its label and an optional hint read out with it. */
import { useHint } from './common.tsx';

export function Check({ label, checked, onChange, hint }: { label: string; checked: boolean; onChange(v: boolean): void; hint?: string }) {
  const [hintId, Hint] = useHint();
  return (
    <div class="check-field">
      <label class="check">
        <input type="checkbox" checked={checked} aria-describedby={hint ? hintId : undefined} onChange={(e) => onChange(e.currentTarget.checked)} />
        <span>{label}</span>
      </label>
      {hint && <Hint text={hint} />}
    </div>
  );
}
