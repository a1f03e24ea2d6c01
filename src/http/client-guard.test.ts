import { describe, expect, it } from 'vitest';
import { createAuthThrottle } from './client-guard.js';

describe('createAuthThrottle', () => {
  it('blocks an address at its n-th failure within the window, until the window ends', () => {
    let now = 0;
    const throttle = createAuthThrottle({ failures: 3, windowMs: 10_000, now: () => now });
    for (let index = 0; index < 2; index += 1) throttle?.failed('10.0.0.1');
    expect(throttle?.blockedFor('10.0.0.1')).toBeUndefined();
    throttle?.failed('10.0.0.1');
    expect(throttle?.blockedFor('10.0.0.1')).toBe(10);
    expect(throttle?.blockedFor('10.0.0.2')).toBeUndefined();
    now = 9_001;
    expect(throttle?.blockedFor('10.0.0.1')).toBe(1);
    now = 10_000;
    expect(throttle?.blockedFor('10.0.0.1')).toBeUndefined();
  });

  it('remembers at most maxAddresses, forgetting the oldest first', () => {
    const throttle = createAuthThrottle({ failures: 1, windowMs: 60_000, maxAddresses: 100, now: () => 0 });
    for (let index = 0; index < 1_000; index += 1) throttle?.failed(`10.0.${index >> 8}.${index & 255}`);
    expect(throttle?.blockedFor('10.0.0.0')).toBeUndefined();
    expect(throttle?.blockedFor('10.0.3.231')).toBe(60);
  });

  it('is off with 0 failures', () => {
    expect(createAuthThrottle({ failures: 0, windowMs: 1_000 })).toBeUndefined();
  });
});
