import { describe, expect, it } from '@jest/globals';
import { budgetProblems, GZIP_BUDGETS, HEAVY_ANGULAR_APIS, importedNames, measureBundle, SCENARIOS } from './bundle-size.mjs';

describe('importedNames', () => {
  const code = 'import{BehaviorSubject as a,map as b}from"rxjs";import{Subject}from"rxjs";import{first as c}from "rxjs/operators";import{x,ɵɵdefer as d}from"@angular/core";';

  it('lists the names imported from a package and its subpaths, without their local aliases', () => {
    expect(importedNames(code, 'rxjs')).toEqual(['BehaviorSubject', 'Subject', 'first', 'map']);
  });

  it('reads a scoped package', () => {
    expect(importedNames(code, '@angular/core')).toEqual(['x', 'ɵɵdefer']);
  });

  it('lists the members read of a namespace import, as the Angular linker writes them', () => {
    const linked = 'import*as s from"@angular/core";const a=s.ɵɵdefineComponent({}),b=s.ɵɵadvance,c=xs.ɵɵdefer;function f(s){return s.kind}';

    expect(importedNames(linked, '@angular/core')).toEqual(['ɵɵadvance', 'ɵɵdefineComponent']);
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

  it.each(Object.keys(SCENARIOS))('leaves the development-only texts out of the %s bundle, as ng build does (docs/client.md#texts-in-production-builds)', async (name) => {
    const { code } = await measureBundle(SCENARIOS[name]);

    expect(code).toContain('failed before the connection opened');
    expect(code).not.toContain('is the Heartbeat server running at that URL');
    expect(code).not.toContain('in Node 20 pass');
    expect(code).not.toContain('ws://localhost:3000/ws');
    expect(code).not.toContain('app.config.ts');
  }, 60_000);

  it('keeps the Angular setup off the Angular runtime that outweighs what it saves (@defer, queries, effects, after-render hooks, ngOnChanges)', async () => {
    const measured = await measureBundle(SCENARIOS.angular);

    expect(measured.angular).toContain('ɵɵdefineComponent');
    expect(measured.angular.filter((name) => HEAVY_ANGULAR_APIS.includes(name))).toEqual([]);
  }, 60_000);
});
