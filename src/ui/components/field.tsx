// A labelled form control; the hint is tied to the input for screen readers.
import type { InputHTMLAttributes } from "preact";
import { useId } from "preact/hooks";

export function Field({ label, hint, ...input }: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const generated = useId();
  const id = (input.id as string | undefined) ?? generated;
  return (
    <label class="field" for={id}>
      <span>{label}</span>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint ? <small id={`${id}-hint`} class="muted">{hint}</small> : null}
    </label>
  );
}
