/** Live memory per allocation site in a V8 sampling heap profile (`.heapprofile`). */
import { shortLocation } from './cpu-profile.js';

export interface HeapProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly HeapProfileNode[];
}

export interface HeapProfile {
  readonly head: HeapProfileNode;
}

export interface HeapSiteRow {
  readonly name: string;
  readonly location: string;
  readonly bytes: number;
  readonly share: number;
}

/** The sites that allocated the most of what is still alive, functions of the same name and place merged. */
export function summarizeHeapProfile(profile: HeapProfile, top = 20): { totalBytes: number; rows: HeapSiteRow[] } {
  const bySite = new Map<string, { name: string; location: string; bytes: number }>();
  let totalBytes = 0;
  const pending: HeapProfileNode[] = [profile.head];
  for (let node = pending.pop(); node; node = pending.pop()) {
    pending.push(...node.children);
    if (node.selfSize <= 0) continue;
    totalBytes += node.selfSize;
    const name = node.callFrame.functionName || '(anonymous)';
    const location = shortLocation(node.callFrame.url, node.callFrame.lineNumber);
    const key = `${name}@${location}`;
    const site = bySite.get(key) ?? { name, location, bytes: 0 };
    site.bytes += node.selfSize;
    bySite.set(key, site);
  }
  const rows = [...bySite.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top)
    .map((site) => ({ ...site, share: totalBytes > 0 ? site.bytes / totalBytes : 0 }));
  return { totalBytes, rows };
}
