import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';

export async function sigtermDrain(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder('sigterm-drain', 'sigterm-drain', 'todo');
  s.check('implemented', false, 'todo');
  return s.result();
}
