import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createTracing } from './tracing.js';

/** A stand-in for the PII masker the composition root passes: only the mechanism is tested here. */
const maskText = (text: string) => text.replaceAll('jane@example.com', '[EMAIL]');

describe('tracing with a mask', () => {
  it('masks span names, string attributes, string arrays, events and captured prompts', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing(
      {
        mode: 'otlp',
        serviceName: 'gatehouse-test',
        sampler: 'parentbased_always_on',
        capturePrompts: true,
        maskText,
      },
      { exporter },
    );
    const request = tracing.startRequestSpan(
      {},
      { operation: 'chat', requestModel: 'for jane@example.com', attributes: { note: 'jane@example.com' } },
    );
    request.setAttributes({ list: ['jane@example.com', 'other'], count: 3 });
    request.addEvent('event jane@example.com', { reason: 'jane@example.com' });
    request.recordPrompt([{ role: 'user', content: 'I am jane@example.com' }]);
    const child = tracing.startChildSpan(request, 'child jane@example.com', { who: 'jane@example.com' });
    child.end();
    request.end();
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    const exported = JSON.stringify(
      spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events })),
    );
    expect(exported).not.toContain('jane@example.com');
    const requestSpan = spans.find((span) => span.name === 'chat for [EMAIL]');
    expect(requestSpan?.attributes).toMatchObject({
      'gen_ai.request.model': 'for [EMAIL]',
      note: '[EMAIL]',
      list: ['[EMAIL]', 'other'],
      count: 3,
      'gen_ai.input.messages': '[{"role":"user","content":"I am [EMAIL]"}]',
    });
    expect(requestSpan?.events[0]).toMatchObject({
      name: 'event [EMAIL]',
      attributes: { reason: '[EMAIL]' },
    });
    expect(spans.map((span) => span.name)).toContain('child [EMAIL]');
    await tracing.shutdown();
  });
});
