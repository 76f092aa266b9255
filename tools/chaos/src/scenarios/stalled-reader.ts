import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';

export async function stalledReader(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder('stalled-reader', 'stalled-reader', 'todo');
  s.check('implemented', false, 'todo');
  return s.result();
}
