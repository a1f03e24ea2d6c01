import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policies/index.js';
import { askPolicy, type DelegationTerms } from './delegation-policy.js';

/** The example delegation policy of docs/governance.md decides as its comments say. */

const documentation = readFileSync(new URL('../../../docs/governance.md', import.meta.url), 'utf8');
const section = documentation.slice(documentation.indexOf('## Delegation and grants'));
const example = /```cedar\n([\s\S]*?)```/.exec(section)?.[1] ?? '';

function ask(terms: Partial<DelegationTerms>) {
  const compiled = compilePolicy(example, 1);
  if (compiled.type !== 'compiled') throw new Error(compiled.message);
  return askPolicy(compiled.snapshot, {
    tenantId: 'acme',
    delegator: 'orchestrator',
    delegatee: 'researcher',
    scopes: ['read_*'],
    ttlSeconds: 300,
    depth: 1,
    confidence: 0.95,
    actingFor: undefined,
    now: 1_700_000_000_000,
    ...terms,
  });
}

describe('the delegation policy example of docs/governance.md', () => {
  it('lets the orchestrator pass reading and searching on, for at most ten minutes', () => {
    expect(ask({ scopes: ['read_*', 'search'] })).toEqual({
      type: 'permitted',
      policyIds: ['orchestrator-delegates-reading'],
    });
    expect(ask({ scopes: ['read_*', 'payroll'] })).toMatchObject({ type: 'refused', scope: 'payroll' });
    expect(ask({ scopes: ['search'], ttlSeconds: 601 })).toMatchObject({ type: 'refused', scope: 'search' });
  });

  it('lets any other agent pass on what it was given once more, and payroll never reach an intern', () => {
    expect(ask({ delegator: 'researcher', delegatee: 'reader', scopes: ['payroll'], depth: 2 }).type).toBe(
      'permitted',
    );
    expect(ask({ delegator: 'researcher', delegatee: 'reader', depth: 3 }).type).toBe('refused');
    expect(ask({ delegator: 'researcher', delegatee: 'reader', depth: 1 }).type).toBe('refused');
    const intern = ask({
      delegator: 'researcher',
      delegatee: 'intern',
      scopes: ['read_*', 'payroll'],
      depth: 2,
    });
    expect(intern).toMatchObject({ type: 'refused', scope: 'payroll' });
    expect(intern.type === 'refused' && intern.verdict.reason).toBe(
      'denied by policy no-payroll-for-interns',
    );
  });
});
