import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { selfSignedCertificate } from './support/tls-certificate.js';

function servedCertificateName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const subject = socket.getPeerCertificate().subject;
      socket.end();
      resolve(String(subject?.CN ?? ''));
    });
    socket.once('error', reject);
  });
}

function clientTrusting(gateway: TestGateway, ca: string): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: gateway.masterKey,
    maxRetries: 0,
    // The dispatcher must come with undici's own fetch (Node's bundled undici differs in version).
    fetch: undiciFetch as unknown as typeof fetch,
    fetchOptions: { dispatcher: new Agent({ connect: { ca } }) } as never,
  });
}

describe('HTTPS served directly', () => {
  let directory: string;
  let first: { cert: string; key: string };
  let second: { cert: string; key: string };
  let gateway: TestGateway;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
    first = selfSignedCertificate('first', directory);
    second = selfSignedCertificate('second', directory);
    writeFileSync(join(directory, 'tls.crt'), first.cert);
    writeFileSync(join(directory, 'tls.key'), first.key);
    gateway = await startTestGateway({
      server: { tls: { cert_path: join(directory, 'tls.crt'), key_path: join(directory, 'tls.key') } },
    });
  });
  afterAll(() => gateway.close());

  it('serves the openai client over HTTPS with a certificate it trusts', async () => {
    expect(gateway.url.startsWith('https://')).toBe(true);
    const answer = await clientTrusting(gateway, first.cert).chat.completions.create({
      model: 'mock',
      messages: [{ role: 'user', content: 'Hello over TLS' }],
    });
    expect(answer.choices[0]?.message.content).toMatch(/Mock answer/);
  });

  it('rejects a client that does not trust the certificate', async () => {
    await expect(
      clientTrusting(gateway, second.cert).chat.completions.create({
        model: 'mock',
        messages: [{ role: 'user', content: 'Hello' }],
      }),
    ).rejects.toThrow();
  });

  it('picks up a rotated certificate without a restart', async () => {
    // Rotation tools replace files by renaming; the gateway watches the directory.
    writeFileSync(join(directory, 'next.key'), second.key);
    writeFileSync(join(directory, 'next.crt'), second.cert);
    renameSync(join(directory, 'next.key'), join(directory, 'tls.key'));
    renameSync(join(directory, 'next.crt'), join(directory, 'tls.crt'));
    const deadline = Date.now() + 5_000;
    while ((await servedCertificateName(gateway.port)) !== 'second' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await servedCertificateName(gateway.port)).toBe('second');
    const answer = await clientTrusting(gateway, second.cert).chat.completions.create({
      model: 'mock',
      messages: [{ role: 'user', content: 'Hello after rotation' }],
    });
    expect(answer.choices[0]?.message.content).toMatch(/Mock answer/);
  });

  it('reloads on request (SIGHUP) and keeps the old certificate when the new pair is broken', async () => {
    writeFileSync(join(directory, 'tls.crt'), 'not a certificate');
    await gateway.gateway.reloadTls();
    expect(await servedCertificateName(gateway.port)).toBe('second');
    writeFileSync(join(directory, 'tls.crt'), first.cert);
    writeFileSync(join(directory, 'tls.key'), first.key);
    await gateway.gateway.reloadTls();
    expect(await servedCertificateName(gateway.port)).toBe('first');
  });
});
