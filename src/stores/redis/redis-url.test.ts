import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redactRedisUrl } from './redis-url.js';

describe('Redis URLs', () => {
  it('passes redis:// and rediss:// to ioredis as they are', () => {
    expect(parseRedisUrl('redis://:secret@cache:6380/2')).toEqual({
      kind: 'standalone',
      url: 'redis://:secret@cache:6380/2',
    });
    expect(parseRedisUrl('rediss://cache')).toEqual({ kind: 'standalone', url: 'rediss://cache' });
  });

  it('reads Sentinel hosts, master name, database and passwords', () => {
    expect(
      parseRedisUrl('redis+sentinel://user:p%40ss@s1:26380,s2,[::1]:26381/mymaster/3?sentinelPassword=x'),
    ).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26380 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26381 },
      ],
      masterName: 'mymaster',
      db: 3,
      sentinelPassword: 'x',
      username: 'user',
      password: 'p@ss',
      tls: false,
    });
  });

  it('reads Cluster nodes, with TLS for rediss+cluster', () => {
    expect(parseRedisUrl('rediss+cluster://:pw@n1:7000,n2:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      username: undefined,
      password: 'pw',
      tls: true,
    });
  });

  it('rejects what it cannot use, without echoing credentials', () => {
    expect(() => parseRedisUrl('http://user:secret@cache')).toThrow(
      /unsupported Redis URL http:\/\/\[redacted\]@cache/,
    );
    expect(() => parseRedisUrl('redis+sentinel://s1:26379')).toThrow(/needs the master's name/);
    expect(() => parseRedisUrl('redis+cluster://n1:99999')).toThrow(/invalid Redis port/);
    expect(() => parseRedisUrl('redis+sentinel://s1/m/x')).toThrow(/invalid Redis database/);
  });

  it('redacts passwords for logs', () => {
    expect(redactRedisUrl('redis://:secret@cache:6379')).toBe('redis://[redacted]@cache:6379');
    expect(redactRedisUrl('redis+sentinel://s1/m?sentinelPassword=abc&x=1')).toBe(
      'redis+sentinel://s1/m?sentinelPassword=[redacted]&x=1',
    );
  });
});
