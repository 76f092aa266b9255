/**
 * Replaces the blank page of a failed start with what went wrong, typically client options from the
 * URL that do not fit together (e.g. `?pingInterval=1000` with the default 10 s `pongTimeout`).
 */
export function showStartupError(document: Document, error: unknown): void {
  console.error(error);
  const message = error instanceof Error ? error.message : String(error);
  const box = document.createElement('div');
  box.setAttribute('role', 'alert');
  box.setAttribute('data-testid', 'startup-error');
  box.style.cssText = 'margin:2rem;padding:1rem 1.25rem;border:1px solid #dc2626;border-radius:6px;background:#fef2f2;font-family:system-ui,sans-serif';
  const title = document.createElement('strong');
  title.textContent = 'The dashboard could not start.';
  const detail = document.createElement('p');
  detail.textContent = message;
  const hint = document.createElement('p');
  const link = document.createElement('a');
  link.href = document.location.pathname;
  link.textContent = 'Open it without URL parameters';
  hint.append('Check the client options in the address bar, or ', link, '.');
  box.append(title, detail, hint);
  document.body.replaceChildren(box);
}
