import { describe, expect, it } from '@jest/globals';
import { budgetProblems, GZIP_BUDGETS, measureBundle, rxjsImports, SCENARIOS } from './bundle-size.mjs';

describe('rxjsImports', () => {
  it('lists the names imported from rxjs and its subpaths, without their local aliases', () => {
    const code = 'import{BehaviorSubject as a,map as b}from"rxjs";import{Subject}from"rxjs";import{first as c}from "rxjs/operators";import{x}from"@angular/core";';

    expect(rxjsImports(code)).toEqual(['BehaviorSubject', 'Subject', 'first', 'map']);
  });
});

describe('budgetProblems', () => {
  it('says nothing for bundles within their budget', () => {
    expect(budgetProblems({ client: { gzip: 100 }, angular: { gzip: 200 } }, { client: 100, angular: 250 })).toEqual([]);
  });

  it('names a bundle over its budget, with its size and budget', () => {
    const [problem, ...others] = budgetProblems({ client: { gzip: 101 }, angular: { gzip: 200 } }, { client: 100, angular: 250 });

    expect(others).toEqual([]);
    expect(problem).toMatch(/^The client bundle is 101 bytes gzip, over its budget of 100 bytes/);
  });
});

describe('measureBundle', () => {
  it.each(Object.keys(SCENARIOS))('keeps the %s bundle within its gzip budget', async (name) => {
    const measured = await measureBundle(SCENARIOS[name]);

    expect(measured.files.length).toBeGreaterThan(0);
    expect(budgetProblems({ [name]: measured })).toEqual([]);
    expect(GZIP_BUDGETS[name]).toBeGreaterThan(0);
  }, 60_000);

  it('leaves the status panel out of the initial code of the Angular setup, for its @defer to load', async () => {
    const measured = await measureBundle(SCENARIOS.angular);
    const isPanel = (file) => file.path.includes('web-socket-status-panel');

    expect(measured.files.filter(isPanel)).toEqual([]);
    expect(measured.lazy.files.filter(isPanel)).toHaveLength(1);
  }, 60_000);
});
