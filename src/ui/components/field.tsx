// A labelled form control; the hint sits outside the label (so it is not part of the control's
// name) and is tied to the input as its description.
import type { InputHTMLAttributes, SelectHTMLAttributes } from "preact";
import { useId } from "preact/hooks";

export function Field({ label, hint, ...input }: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const generated = useId();
  const id = (input.id as string | undefined) ?? generated;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint ? <small id={`${id}-hint`} class="muted">{hint}</small> : null}
    </div>
  );
}

/** A labelled <select>; the label is separate so the chosen option is not part of its name. */
export function SelectField({ label, children, ...select }: { label: string } & SelectHTMLAttributes<HTMLSelectElement>) {
  const generated = useId();
  const id = (select.id as string | undefined) ?? generated;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} {...select}>{children}</select>
    </div>
  );
}
