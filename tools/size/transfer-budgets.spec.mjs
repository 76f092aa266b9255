import { describe, expect, it } from '@jest/globals';
import { transferBudgetProblems } from './transfer-budgets.mjs';

/** bundle-sizes.json's shape for one platform, from the transfer bytes of each variant. */
function platform(transfers) {
  return Object.fromEntries(Object.entries(transfers).map(([id, transfer]) => [id, { angular: { transfer } }]));
}

describe('transferBudgetProblems', () => {
  const budgets = { heartbeat: 100, 'client-only': 50 };

  it('says nothing for variants within their budget', () => {
    const sizes = { node20: platform({ 'without-heartbeat': 1_000, heartbeat: 1_100, 'client-only': 1_050, 'socket-io': 5_000 }) };

    expect(transferBudgetProblems(sizes, budgets)).toEqual([]);
  });

  it('names the platform and variant over its budget, with what it adds and the budget', () => {
    const sizes = {
      node20: platform({ 'without-heartbeat': 1_000, heartbeat: 1_100, 'client-only': 1_050 }),
      node26: platform({ 'without-heartbeat': 1_000, heartbeat: 1_101, 'client-only': 1_050 }),
    };

    const [problem, ...others] = transferBudgetProblems(sizes, budgets);

    expect(others).toEqual([]);
    expect(problem).toMatch(/^On node26, the Angular example's heartbeat variant adds 101 bytes .* over its budget of 100 /);
  });

  it('skips a platform that did not measure the baseline or the variant', () => {
    expect(transferBudgetProblems({ node20: platform({ heartbeat: 9_999 }) }, budgets)).toEqual([]);
  });
});
