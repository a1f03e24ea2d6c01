import { describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import { createCall, proceed } from '../stage.js';
import { callFor, chatBody, principal } from '../test-fakes.js';
import { createAuthenticateStage } from './authenticate.js';

describe('the authenticate stage', () => {
  const authenticator = { authenticate: vi.fn(() => ({ type: 'authenticated' as const, principal })) };
  const stage = createAuthenticateStage(authenticator);

  it('answers synchronously for a key known at once, leaving the principal on the call', () => {
    const call = callFor(chatBody);
    expect(stage.run(call)).toBe(proceed);
    expect(call.principal).toBe(principal);
  });

  it('refuses with the key service’s error, and takes a check http/ already did', async () => {
    const error = new GatewayError('invalid_api_key', 'no key');
    const refusing = createAuthenticateStage({
      authenticate: () => Promise.resolve({ type: 'rejected' as const, error }),
    });
    await expect(refusing.run(callFor(chatBody))).resolves.toEqual({ type: 'reject', error });
    authenticator.authenticate.mockClear();
    const checked = createCall(callFor(chatBody).context, { ok: true, principal });
    expect(stage.run(checked)).toBe(proceed);
    expect(authenticator.authenticate).not.toHaveBeenCalled();
  });
});
