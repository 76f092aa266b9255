import { ScenarioBuilder, type ScenarioResult } from '../lib/report.js';

export async function badInput(): Promise<ScenarioResult> {
  const s = new ScenarioBuilder('bad-input', 'bad-input', 'todo');
  s.check('implemented', false, 'todo');
  return s.result();
}
