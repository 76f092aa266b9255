/**
 * Styles that the indicator and its details panel both need (the dot, focus rings, buttons); each
 * component's encapsulated styles include them, since neither component's styles reach the other's
 * elements.
 */
export const STATUS_CONTROL_STYLES = `
  button:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--hb-focus-color, #2563eb);
    outline-offset: 2px;
  }
  .hb-status__dot {
    display: inline-block;
    flex: none;
    width: 0.7em;
    height: 0.7em;
    border-radius: 50%;
    background: var(--hb-dot-color);
  }
  :host-context([data-status='connecting']) .hb-status__dot {
    animation: hb-status-pulse 1.2s ease-in-out infinite;
  }
  @keyframes hb-status-pulse {
    50% {
      opacity: 0.35;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    :host-context([data-status='connecting']) .hb-status__dot {
      animation: none;
    }
  }
  .hb-status__inline-action,
  .hb-status__actions button {
    padding: 0.25em 0.75em;
    border: 1px solid var(--hb-button-border-color, #9ca3af);
    border-radius: 0.375em;
    background: var(--hb-button-background, transparent);
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
`;
