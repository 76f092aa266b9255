import { showStartupError } from './show-startup-error';

describe('showStartupError', () => {
  it('replaces the page with the error message and a way out', () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    document.body.innerHTML = '<app-root></app-root>';
    showStartupError(document, new Error('`pongTimeout` (10000 ms) must be shorter than `pingInterval` (1000 ms).'));
    const box = document.querySelector('[data-testid="startup-error"]');
    expect(box?.getAttribute('role')).toBe('alert');
    expect(box?.textContent).toContain('The dashboard could not start.');
    expect(box?.textContent).toContain('must be shorter than `pingInterval`');
    expect(box?.querySelector('a')?.getAttribute('href')).toBe('/');
    expect(document.querySelector('app-root')).toBeNull();
  });
});
