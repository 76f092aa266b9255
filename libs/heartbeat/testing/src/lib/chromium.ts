import { existsSync } from 'node:fs';

/** Flags for a quiet, offline headless Chromium in a container (no sandbox there, no GPU, no phoning home). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium, or CHROMIUM_PATH. The e2e never downloads a browser of its own. */
export function chromiumPath(): string {
  return process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
}

/** Throws a message that says how to install Chromium when it is missing: the suite must not pass without it. */
export function assertChromiumInstalled(path = chromiumPath()): void {
  if (!existsSync(path)) {
    throw new Error(
      `Chromium is not installed at ${path}. Install Debian's package ` +
        '("apt-get update && apt-get install -y chromium"), or set CHROMIUM_PATH to a Chromium binary; ' +
        'the e2e suite never downloads a browser.',
    );
  }
}
