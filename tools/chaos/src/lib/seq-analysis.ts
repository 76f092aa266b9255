import type { ClientReport } from './ipc.js';

export interface SeqAnalysis {
  eventsChecked: number;
  missing: number;
  duplicates: number;
  gaps: number;
  otherEpochs: number;
  incomplete: string[];
}

/** Each client's list in `epoch` must run without a hole from its first seq to at least `head`. */
export function analyse(reports: readonly ClientReport[], epoch: string, head: number): SeqAnalysis {
  const result: SeqAnalysis = { eventsChecked: 0, missing: 0, duplicates: 0, gaps: 0, otherEpochs: 0, incomplete: [] };
  for (const report of reports) {
    const track = report.epochs[epoch];
    result.gaps += report.gaps.length;
    result.otherEpochs += Object.keys(report.epochs).filter((e) => e !== epoch).length;
    if (!track) {
      result.incomplete.push(`client ${report.index}: no event of epoch ${epoch}`);
      continue;
    }
    result.eventsChecked += track.count;
    result.missing += track.missing + track.reportedSkipped;
    result.duplicates += track.duplicates;
    const problems: string[] = [];
    if (track.missing + track.reportedSkipped > 0) problems.push(`missing ${track.missing + track.reportedSkipped} (${JSON.stringify(track.missingRanges)})`);
    if (track.duplicates > 0) problems.push(`${track.duplicates} duplicates`);
    if (track.last < head) problems.push(`last ${track.last} < head ${head}`);
    if (track.count !== track.last - track.first + 1) problems.push(`${track.count} events for ${track.first}..${track.last}`);
    if (problems.length) result.incomplete.push(`client ${report.index}: ${problems.join(', ')}`);
  }
  return result;
}
