/**
 * A random prefix for this client's message ids (16 hex digits): ids must not repeat within a
 * session, and a reloaded page may resume the session of the page before it.
 */
export function randomIdPrefix(source: { getRandomValues?: (array: Uint32Array) => Uint32Array } | undefined = globalThis.crypto): string {
  const words = new Uint32Array(2);
  if (typeof source?.getRandomValues === 'function') source.getRandomValues(words);
  else for (let i = 0; i < words.length; i++) words[i] = Math.floor(Math.random() * 2 ** 32);
  return [...words].map((word) => word.toString(16).padStart(8, '0')).join('');
}

const prefixes = new WeakMap<object, string>();

/**
 * The id prefix of the client that `host` belongs to, made when a feature first asks (the core
 * makes no ids, so a client without such features carries none of this: docs/client.md#features).
 * One per client instance, not from the `random` option, which tests fix: a reloaded page reusing
 * the server session must not repeat an id the server would drop as a duplicate.
 */
export function clientIdPrefix(host: object): string {
  let prefix = prefixes.get(host);
  if (prefix === undefined) {
    prefix = randomIdPrefix();
    prefixes.set(host, prefix);
  }
  return prefix;
}

/** The id of this client's `count`th `send()` message: `<prefix>-<count>`. */
export function messageId(prefix: string, count: number): string {
  return `${prefix}-${count}`;
}

/**
 * The id of this client's `count`th `request()`: `<prefix>-r<count>`. The `r` keeps it apart from
 * every message id, so that an `error` whose `ref` names one can never be taken for the other.
 */
export function requestId(prefix: string, count: number): string {
  return `${prefix}-r${count}`;
}
