import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openS3ObjectStore, type OpenedObjectStore } from '../src/stores/object/s3-settings.js';
import { startTestS3Server, type TestS3Server } from './support/s3-server.js';

let server: TestS3Server;
let opened: OpenedObjectStore;

function settingsFor(prefix: string) {
  const settings = server.settings(prefix);
  return {
    url: settings.url,
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    accessKeyId: settings.access_key_id,
    secretAccessKey: settings.secret_access_key,
    conditionalWrites: true,
  };
}

beforeAll(async () => {
  server = await startTestS3Server();
  opened = openS3ObjectStore(settingsFor('audit/prod'));
});

afterAll(async () => {
  opened.close();
  await server.stop();
});

async function* chunks(total: number, size: number, failAt?: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += size) {
    if (failAt !== undefined && sent >= failAt) throw new Error('the source failed');
    // A source that takes its time, as a database page would.
    await Promise.resolve();
    yield randomBytes(Math.min(size, total - sent));
  }
}

async function text(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer | undefined> {
  if (body === undefined) return undefined;
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

describe('the S3 object store', () => {
  it('writes an object under its prefix once and never replaces it', async () => {
    const { store } = opened;
    expect(store.location).toBe(`s3://${server.bucket}/audit/prod`);
    expect(await store.putNew('checkpoints/1.json', Buffer.from('{"seq":1}'), 'application/json')).toBe(
      'written',
    );
    expect(await store.putNew('checkpoints/1.json', Buffer.from('{"seq":666}'), 'application/json')).toBe(
      'exists',
    );
    expect(await server.text('audit/prod/checkpoints/1.json')).toBe('{"seq":1}');
    expect((await text(await store.read('checkpoints/1.json')))?.toString()).toBe('{"seq":1}');
    expect(await store.read('checkpoints/absent.json')).toBeUndefined();
  });

  it('streams a large body in parts and reads it back byte for byte', async () => {
    const { store } = opened;
    const sent: Uint8Array[] = [];
    async function* recorded() {
      for await (const chunk of chunks(19 * 1024 * 1024, 1024 * 1024)) {
        sent.push(chunk);
        yield chunk;
      }
    }
    expect(await store.putNew('archive/big.gz', recorded(), 'application/gzip')).toBe('written');
    const back = await text(await store.read('archive/big.gz'));
    expect(back?.equals(Buffer.concat(sent))).toBe(true);
  });

  it('leaves no object behind when the body fails half way, small or in parts', async () => {
    const { store } = opened;
    await expect(
      store.putNew('archive/failed-small.gz', chunks(1024, 100, 500), 'application/gzip'),
    ).rejects.toThrow('the source failed');
    await expect(
      store.putNew(
        'archive/failed-large.gz',
        chunks(20 * 1024 * 1024, 1024 * 1024, 17 * 1024 * 1024),
        'application/gzip',
      ),
    ).rejects.toThrow('the source failed');
    const keys = await server.keys('audit/prod/archive/failed');
    expect(keys).toEqual([]);
  });

  it('lists keys under a prefix in key order, without its own prefix', async () => {
    const other = openS3ObjectStore(settingsFor('listing'));
    try {
      for (const seq of [3, 1, 2]) {
        await other.store.putNew(
          `checkpoints/${String(seq).padStart(16, '0')}.json`,
          Buffer.from('{}'),
          'application/json',
        );
      }
      await other.store.putNew('archive/x', Buffer.from('x'), 'application/gzip');
      const listed: string[] = [];
      for await (const key of other.store.list('checkpoints/')) listed.push(key);
      expect(listed).toEqual([1, 2, 3].map((seq) => `checkpoints/${String(seq).padStart(16, '0')}.json`));
    } finally {
      other.close();
    }
  });

  it('fails, rather than pretending, when the server is unreachable', async () => {
    const dead = await startTestS3Server();
    const unreachable = openS3ObjectStore({
      ...settingsFor('x'),
      url: `s3://${dead.bucket}/x`,
      endpoint: dead.endpoint,
    });
    await dead.stop();
    try {
      await expect(unreachable.store.putNew('a', Buffer.from('a'), 'text/plain')).rejects.toThrow();
      await expect(unreachable.store.read('a')).rejects.toThrow();
    } finally {
      unreachable.close();
    }
  });
});
