// A modal confirmation built on <dialog>: focus is trapped and Escape cancels, natively.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function Confirm({ title, children, confirmLabel, onConfirm, onCancel, danger = true }: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h3 id="confirm-title">{title}</h3>
      <div>{children}</div>
      <div class="actions">
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
        <button type="button" class={danger ? "danger" : ""} onClick={onConfirm}>{confirmLabel}</button>
      </div>
    </dialog>
  );
}
