import { describe, expect, it } from 'vitest';
import { injectionReason } from '../governance/decisions/injection-screen.js';
import { benignText, blatantInjection, recordedGuard, throwingDetector } from './test-support.js';

describe("the guard's screener of agents' fields", () => {
  it("finds an injection in args and names the field in Lelu's reason form", () => {
    const { guard, detections } = recordedGuard();
    const verdict = guard.screenArgs({
      action: 'send_email',
      resource: {},
      args: { note: blatantInjection },
    });
    expect(verdict).toMatchObject({ detected: true, field: 'args.note' });
    if (!verdict.detected) throw new Error('not detected');
    expect(injectionReason(verdict)).toMatch(/^prompt injection detected in args\.note/);
    expect(detections).toEqual([{ source: 'args', action: 'block' }]);
  });

  it('walks arrays, nested objects and object keys, in action, resource and args', () => {
    const { guard } = recordedGuard();
    expect(
      guard.screenArgs({
        action: 'x',
        resource: {},
        args: { items: [1, { text: ['ok', blatantInjection] }] },
      }),
    ).toMatchObject({
      field: 'args.items[1].text[1]',
    });
    expect(guard.screenArgs({ action: 'x', resource: {}, args: { [blatantInjection]: 1 } })).toMatchObject({
      detected: true,
    });
    expect(
      guard.screenArgs({ action: 'x', resource: { memo: blatantInjection }, args: undefined }),
    ).toMatchObject({
      field: 'resource.memo',
    });
  });

  it('finds nothing in plain fields, and walks deep values without recursion', () => {
    const { guard } = recordedGuard();
    expect(
      guard.screenArgs({ action: 'read_invoice', resource: { id: 'INV-1' }, args: { note: benignText } }),
    ).toEqual({
      detected: false,
    });
    let value: unknown = blatantInjection;
    for (let level = 0; level < 100_000; level += 1) value = [value];
    expect(guard.screenArgs({ args: value }).detected).toBe(true);
  });

  it('only records a detection with routes.agent_authorize.action log, and looks for none with off', () => {
    const logged = recordedGuard({ routes: { agent_authorize: { action: 'log' } } });
    expect(logged.guard.screenArgs({ args: blatantInjection })).toEqual({ detected: false });
    expect(logged.detections).toEqual([{ source: 'args', action: 'log' }]);
    const off = recordedGuard({ routes: { agent_authorize: { action: 'off' } } });
    expect(off.guard.screenArgs({ args: blatantInjection })).toEqual({ detected: false });
    expect(off.scores).toEqual([]);
  });

  it('denies whatever the section action says (Lelu denies), and screens nothing when detection is disabled', () => {
    expect(recordedGuard({ action: 'off' }).guard.screenArgs({ args: blatantInjection }).detected).toBe(true);
    expect(recordedGuard({ enabled: false }).guard.screenArgs({ args: blatantInjection }).detected).toBe(
      false,
    );
  });

  it('fails open by default and closed when configured, with its own reason', () => {
    const open = recordedGuard({}, throwingDetector);
    expect(open.guard.screenArgs({ args: 'anything' })).toEqual({ detected: false });
    expect(open.failures).toEqual([{ check: 'args', outcome: 'failed_open' }]);
    const closed = recordedGuard({ fail_mode: 'closed' }, throwingDetector);
    const verdict = closed.guard.screenArgs({ args: 'anything' });
    if (!verdict.detected) throw new Error('not refused');
    expect(injectionReason(verdict)).toContain('screening failed');
  });
});
