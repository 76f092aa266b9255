/** Reads the server's figures from its Prometheus text endpoint (`/metrics`). */

export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of an exposition text; comments and lines that are not samples are passed over. */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = (value as string).replace(/\\(.)/g, '$1');
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    if (Number.isNaN(value) && match[3] !== 'NaN') continue;
    samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

/** The metric's value summed over its label sets (those matching `where`, if given); NaN if absent. */
export function metricTotal(samples: readonly MetricSample[], name: string, where: Readonly<Record<string, string>> = {}): number {
  const matching = samples.filter((s) => s.name === name && Object.entries(where).every(([key, value]) => s.labels[key] === value));
  return matching.length === 0 ? Number.NaN : matching.reduce((total, s) => total + s.value, 0);
}

/** Values of one label of a metric, e.g. closes by `code`. */
export function metricByLabel(samples: readonly MetricSample[], name: string, label: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const s of samples) {
    const key = s.labels[label];
    if (s.name === name && key !== undefined) result[key] = (result[key] ?? 0) + s.value;
  }
  return result;
}

/** GET `url` and parse it; rejects with a sentence naming the URL when it cannot be read. */
export async function fetchMetrics(url: string, timeoutMs = 3_000): Promise<MetricSample[]> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(`Could not read ${url}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}; the server's figures need its Prometheus endpoint.`);
  return parsePrometheusText(await response.text());
}
