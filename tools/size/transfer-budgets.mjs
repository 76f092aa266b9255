// What the Angular example's variants may add to its initial bundle (docs/benchmarks.md#browser-bundle-the-angular-example):
// `npm run examples` (tools/examples/run-examples.mjs) measures them with `ng build` and fails above these.

/**
 * Estimated transfer bytes (ng build's figure) a variant may add to the example without Heartbeat, on
 * every platform: what was measured when the budget was last set, plus about 3 % (Angular's own
 * releases move it a little). `heartbeat` is the documented setup (provideHeartbeat,
 * `<hb-websocket-status>`), `client-only` a HeartbeatClient in a service.
 */
export const ADDED_TRANSFER_BUDGETS = { heartbeat: 19_000, 'client-only': 11_400 };

/**
 * A sentence per platform and variant over its budget, with the figures and what to do. `sizes` is
 * bundle-sizes.json's: per platform, per variant, `angular.transfer` in bytes.
 */
export function transferBudgetProblems(sizes, budgets = ADDED_TRANSFER_BUDGETS) {
  const problems = [];
  for (const [platform, variants] of Object.entries(sizes)) {
    const base = variants['without-heartbeat'];
    for (const [id, budget] of Object.entries(budgets)) {
      if (!base || !variants[id]) continue;
      const added = variants[id].angular.transfer - base.angular.transfer;
      if (added <= budget) continue;
      problems.push(
        `On ${platform}, the Angular example's ${id} variant adds ${added} bytes (ng build's estimated transfer size) to the app without Heartbeat, ` +
          `over its budget of ${budget} (tools/size/transfer-budgets.mjs). Run \`node tools/size/bundle-size.mjs\` to see which files grew and which ` +
          'Angular APIs the packages use; raise the budget only for a growth you mean, and note it in docs/benchmarks.md.',
      );
    }
  }
  return problems;
}
