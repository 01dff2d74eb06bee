// The Cancel / submit row every form ends with; the submit button is disabled while busy.
export function FormActions(props: { onCancel: () => void; submitLabel: string; busy?: boolean; busyLabel?: string }) {
  const busy = props.busy ?? false;
  return (
    <div class="actions">
      <button type="button" class="secondary" onClick={props.onCancel}>Cancel</button>
      <button type="submit" disabled={busy}>{busy ? (props.busyLabel ?? props.submitLabel) : props.submitLabel}</button>
    </div>
  );
}
