/** Self time per function in a V8 CPU profile (`.cpuprofile`, as `node --cpu-prof` or the inspector write it). */

export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  /** µs before each sample. */
  readonly timeDeltas: readonly number[];
}

export interface SelfTimeRow {
  /** Function name, `(anonymous)` where it has none; V8's own entries keep theirs: `(garbage collector)`, `(program)`. */
  readonly name: string;
  /** `file:line`, the path shortened to what follows node_modules/ or the repository's top folder. */
  readonly location: string;
  readonly selfMs: number;
  /** Share of the busy time (everything but `(idle)`). */
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly rows: readonly SelfTimeRow[];
}

/** Where the code lives, without the machine-specific part of the path. */
export function shortLocation(url: string, lineNumber: number): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  const inRepo = /\/(libs|apps|tools)\//.exec(path);
  const short = inModules >= 0 ? path.slice(inModules + 'node_modules/'.length) : inRepo ? path.slice(inRepo.index + 1) : path;
  return `${short}:${lineNumber + 1}`;
}

export function summarizeProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfUs = new Map<string, { name: string; location: string; us: number }>();
  let totalUs = 0;
  let idleUs = 0;
  profile.samples.forEach((nodeId, i) => {
    // A sample stands for the time until the next one; the last has none and counts as nothing.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const frame = frames.get(nodeId);
    if (!frame || us <= 0) return;
    totalUs += us;
    const name = frame.functionName || '(anonymous)';
    if (name === '(idle)') idleUs += us;
    const location = shortLocation(frame.url, frame.lineNumber);
    const key = `${name}@${location}`;
    const entry = selfUs.get(key) ?? { name, location, us: 0 };
    entry.us += us;
    selfUs.set(key, entry);
  });
  const busyUs = totalUs - idleUs;
  const rows = [...selfUs.values()]
    .filter((entry) => entry.name !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((entry) => ({ name: entry.name, location: entry.location, selfMs: entry.us / 1000, share: busyUs > 0 ? entry.us / busyUs : 0 }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, rows };
}
