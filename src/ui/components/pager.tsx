// Server-side pagination controls: the page number is the only state; totals come from the API.
export function Pager({ page, totalPages, total, onPage, label }: {
  page: number;
  totalPages: number;
  total?: number;
  onPage: (page: number) => void;
  label: string;
}) {
  const last = Math.max(1, totalPages);
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>← Previous</button>
      <span aria-live="polite">
        Page {page} of {last.toLocaleString()}
        {total !== undefined ? ` · ${total.toLocaleString()} ${label}` : ""}
      </span>
      <button type="button" disabled={page >= last} onClick={() => onPage(page + 1)}>Next →</button>
    </nav>
  );
}
