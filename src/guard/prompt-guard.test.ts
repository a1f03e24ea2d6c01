import { describe, expect, it } from 'vitest';
import type { InjectionDetector } from './detector/detector-contract.js';
import type { InjectionConfigSection } from './injection-settings.js';
import type { PromptRequest } from './prompt-guard.js';
import { benignText, blatantInjection, recordedGuard, throwingDetector } from './test-support.js';

function openaiRequest(overrides: Partial<PromptRequest> = {}, userText = blatantInjection): PromptRequest {
  return {
    dialect: 'openai',
    body: { model: 'chat-model', messages: [{ role: 'user', content: userText }] },
    model: 'chat-model',
    headers: {},
    requestId: 'req-1',
    keyId: 'key_1',
    keyMetadata: {},
    agent: undefined,
    ...overrides,
  };
}

function inspect(
  section: Partial<InjectionConfigSection>,
  request: PromptRequest,
  detector?: InjectionDetector,
) {
  const recorded = recordedGuard(section, detector);
  const prompts = recorded.guard.prompts;
  if (prompts === undefined) throw new Error('the guard is disabled');
  return { verdict: prompts.inspect(request), ...recorded };
}

describe('the prompt guard', () => {
  it('lets a benign request pass unflagged, and reports its score and scan time', () => {
    const { verdict, detections, scores, scans } = inspect(
      { action: 'block' },
      openaiRequest({}, benignText),
    );
    expect(verdict).toEqual({ type: 'pass', header: undefined });
    expect(detections).toEqual([]);
    expect(scores).toHaveLength(1);
    expect(scores[0]?.score).toBeLessThan(0.8);
    expect(scans.map((scan) => scan.check)).toEqual(['request']);
  });

  it('logs a detection with action log: the request passes without a header, the log line names the field', () => {
    const { verdict, detections, logLines } = inspect({ action: 'log' }, openaiRequest());
    expect(verdict).toEqual({ type: 'pass', header: undefined });
    expect(detections).toEqual([{ source: 'input', action: 'log' }]);
    const line = logLines().find((record) => record.msg === 'prompt injection detected');
    expect(line).toMatchObject({
      request_id: 'req-1',
      key_id: 'key_1',
      guard: { check: 'request', source: 'input', action: 'log', field: 'messages[0].content' },
    });
    expect(JSON.stringify(logLines())).not.toContain('reveal your system prompt');
  });

  it('flags with action flag: the header says flagged, the score and the source', () => {
    const { verdict } = inspect({ action: 'flag' }, openaiRequest());
    expect(verdict.type).toBe('pass');
    expect(verdict.type === 'pass' ? verdict.header : undefined).toMatch(
      /^flagged; score=(0\.8\d|0\.9\d|1\.00); source=input$/,
    );
  });

  it('blocks with action block: prompt_injection_detected, naming where and never echoing the text', () => {
    const { verdict, detections } = inspect({ action: 'block' }, openaiRequest());
    if (verdict.type !== 'refuse') throw new Error('not refused');
    expect(verdict.error.code).toBe('prompt_injection_detected');
    expect(verdict.error.status).toBe(400);
    expect(verdict.error.param).toBe('messages[0].content');
    expect(verdict.error.message).toContain('messages[0].content');
    expect(verdict.error.message).toContain('user input');
    expect(verdict.error.message).not.toContain('Ignore all previous');
    expect(verdict.error.headers['x-gatehouse-guard']).toMatch(/^blocked; score=[\d.]+; source=input$/);
    expect(detections).toEqual([{ source: 'input', action: 'block' }]);
  });

  it('scores a tool result as indirect injection', () => {
    const request = openaiRequest({
      body: {
        model: 'chat-model',
        messages: [
          { role: 'user', content: benignText },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'web', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c', content: blatantInjection },
        ],
      },
    });
    const { verdict } = inspect({ action: 'block' }, request);
    if (verdict.type !== 'refuse') throw new Error('not refused');
    expect(verdict.error.param).toBe('messages[2].content');
    expect(verdict.error.message).toContain('a tool result');
  });

  it('takes the route, then the model, then the key, each only where it says something', () => {
    const section: Partial<InjectionConfigSection> = {
      action: 'log',
      routes: { agent_authorize: { action: 'block' }, chat_completions: { action: 'flag' } },
      models: { strict: { action: 'block' }, paranoid: { threshold: 0 } },
    };
    expect(inspect(section, openaiRequest()).verdict.type).toBe('pass');
    expect(inspect(section, openaiRequest({ model: 'strict' })).verdict.type).toBe('refuse');
    expect(
      inspect(section, openaiRequest({ model: 'strict', keyMetadata: { guard_injection_action: 'off' } }))
        .verdict,
    ).toEqual({ type: 'pass', header: undefined });
    // A threshold of 0 makes any text a detection: the model's threshold replaced the section's.
    const paranoid = inspect(section, openaiRequest({ model: 'paranoid' }, benignText)).verdict;
    expect(paranoid.type === 'pass' ? paranoid.header : undefined).toMatch(/^flagged;/);
    // The Anthropic route has no override: the section's log.
    expect(inspect(section, openaiRequest({ dialect: 'anthropic' })).verdict).toEqual({
      type: 'pass',
      header: undefined,
    });
  });

  it('lets a caller ask for a stricter action, never a looser one', () => {
    expect(
      inspect({ action: 'log' }, openaiRequest({ headers: { 'x-gatehouse-guard': 'block' } })).verdict.type,
    ).toBe('refuse');
    expect(
      inspect({ action: 'block' }, openaiRequest({ headers: { 'x-gatehouse-guard': 'log' } })).verdict.type,
    ).toBe('refuse');
    const off = inspect(
      { action: 'off' },
      openaiRequest({ headers: { 'x-gatehouse-guard': 'FLAG' } }),
    ).verdict;
    expect(off.type === 'pass' ? off.header : undefined).toMatch(/^flagged;/);
  });

  it('refuses a guard header that is not log, flag or block', () => {
    for (const value of ['off', 'yes', '', ['block', 'log']]) {
      const { verdict } = inspect({}, openaiRequest({ headers: { 'x-gatehouse-guard': value } }, benignText));
      if (verdict.type !== 'refuse') throw new Error(`${String(value)} was accepted`);
      expect(verdict.error.code).toBe('invalid_request');
      expect(verdict.error.param).toBe('x-gatehouse-guard');
    }
  });

  it('ignores (with one warning per key) a key metadata entry that is not an action', () => {
    const recorded = recordedGuard({ action: 'block' });
    const request = openaiRequest({ keyMetadata: { guard_injection_action: 'strict' } });
    expect(recorded.guard.prompts?.inspect(request).type).toBe('refuse');
    expect(recorded.guard.prompts?.inspect(request).type).toBe('refuse');
    expect(
      recorded
        .logLines()
        .filter(
          (line) => line.key_id === 'key_1' && line.level === 'warn' && String(line.msg).includes('metadata'),
        ),
    ).toHaveLength(1);
  });

  it('scores nothing when the action is off', () => {
    const { verdict, scores, scans } = inspect({ action: 'off' }, openaiRequest());
    expect(verdict).toEqual({ type: 'pass', header: undefined });
    expect(scores).toEqual([]);
    expect(scans).toEqual([]);
  });

  it('is absent when detection is disabled', () => {
    expect(recordedGuard({ enabled: false }).guard.prompts).toBeUndefined();
  });

  it('fails open by default when the detector throws: the request passes, with an error line and a metric', () => {
    const { verdict, failures, logLines } = inspect({ action: 'block' }, openaiRequest(), throwingDetector);
    expect(verdict).toEqual({ type: 'pass', header: undefined });
    expect(failures).toEqual([{ check: 'request', outcome: 'failed_open' }]);
    expect(
      logLines().some((line) => line.level === 'error' && String(line.msg).includes('fail_mode open')),
    ).toBe(true);
  });

  it('fails closed when configured: a 503 that says why', () => {
    const { verdict, failures } = inspect(
      { action: 'log', fail_mode: 'closed' },
      openaiRequest(),
      throwingDetector,
    );
    if (verdict.type !== 'refuse') throw new Error('not refused');
    expect(verdict.error.code).toBe('service_unavailable');
    expect(verdict.error.message).toContain('fail_mode: closed');
    expect(failures).toEqual([{ check: 'request', outcome: 'failed_closed' }]);
  });

  it('treats a detector answering a score outside [0, 1] as a failed one', () => {
    for (const score of [Number.NaN, -0.1, 1.5]) {
      const detector: InjectionDetector = { score: () => ({ score }) };
      const { verdict, failures } = inspect(
        { action: 'block', fail_mode: 'closed' },
        openaiRequest(),
        detector,
      );
      expect(verdict.type).toBe('refuse');
      expect(failures).toEqual([{ check: 'request', outcome: 'failed_closed' }]);
    }
  });

  it('alerts on high-severity detections, at most max_per_minute a minute', () => {
    const recorded = recordedGuard({
      action: 'block',
      alert: { enabled: true, min_score: 0.9, max_per_minute: 2 },
    });
    for (let count = 0; count < 3; count += 1) recorded.guard.prompts?.inspect(openaiRequest());
    expect(recorded.alerts).toHaveLength(2);
    expect(recorded.alerts[0]).toMatchObject({
      detected: 'prompt injection',
      action: 'blocked',
      requestId: 'req-1',
      keyId: 'key_1',
      where: 'input in messages[0].content on /v1/chat/completions (model chat-model)',
    });
    expect(['high', 'critical']).toContain(recorded.alerts[0]?.severity);
    recorded.advance(60_000);
    recorded.guard.prompts?.inspect(openaiRequest());
    expect(recorded.alerts).toHaveLength(3);
  });

  it('sends no alert when alerts are off (the default)', () => {
    const recorded = recordedGuard({ action: 'block' });
    recorded.guard.prompts?.inspect(openaiRequest());
    expect(recorded.alerts).toEqual([]);
  });

  it('scores a text with half of a UTF-16 pair without failing', () => {
    const { verdict, failures } = inspect(
      { action: 'block' },
      openaiRequest({}, `${blatantInjection} \ud800`),
    );
    expect(verdict.type).toBe('refuse');
    expect(failures).toEqual([]);
  });
});
