/**
 * Redis locations. `redis://` and `rediss://` (TLS) are ioredis's own URLs (one server). Sentinel
 * and Cluster have no standard URL; Gatehouse accepts these, which list several hosts:
 *
 *   redis+sentinel://[user:password@]host:26379,host:26379/<master name>[/<db>][?sentinelPassword=...]
 *   redis+cluster://[user:password@]host:6379,host:6379
 *
 * (`rediss+sentinel://`, `rediss+cluster://` for TLS). The password authenticates to the data nodes.
 */
export interface RedisHost {
  readonly host: string;
  readonly port: number;
}

export interface RedisCredentials {
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
}

export type RedisTarget =
  | { readonly kind: 'standalone'; readonly url: string }
  | (RedisCredentials & {
      readonly kind: 'sentinel';
      readonly sentinels: readonly RedisHost[];
      readonly masterName: string;
      readonly db: number;
      readonly sentinelPassword: string | undefined;
    })
  | (RedisCredentials & { readonly kind: 'cluster'; readonly nodes: readonly RedisHost[] });

const multiHost = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/;

export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'standalone', url };
  const match = multiHost.exec(url);
  if (match === null) {
    throw new Error(
      `unsupported Redis URL ${redactRedisUrl(url)}: use redis://, rediss://, redis+sentinel:// or redis+cluster://`,
    );
  }
  const [, scheme, mode, userinfo, hostList, path, query] = match;
  const [username, password] = splitUserinfo(userinfo);
  const tls = scheme === 'rediss';
  if (mode === 'cluster') {
    return { kind: 'cluster', nodes: parseHosts(hostList ?? '', 6379), username, password, tls };
  }
  const [masterName, db] = (path ?? '').split('/');
  if (masterName === undefined || masterName === '') {
    throw new Error(`Redis Sentinel URL ${redactRedisUrl(url)} needs the master's name as its path`);
  }
  const parameters = new URLSearchParams(query ?? '');
  return {
    kind: 'sentinel',
    sentinels: parseHosts(hostList ?? '', 26379),
    masterName: decodeURIComponent(masterName),
    db: db === undefined || db === '' ? 0 : parseDatabase(db),
    sentinelPassword: parameters.get('sentinelPassword') ?? undefined,
    username,
    password,
    tls,
  };
}

/** The URL without credentials, for logs and errors. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//[redacted]@').replace(/([?&]sentinelPassword=)[^&#]*/, '$1[redacted]');
}

function splitUserinfo(userinfo: string | undefined): [string | undefined, string | undefined] {
  if (userinfo === undefined || userinfo === '') return [undefined, undefined];
  const colon = userinfo.indexOf(':');
  if (colon === -1) return [undefined, decodeURIComponent(userinfo)];
  const username = decodeURIComponent(userinfo.slice(0, colon));
  return [username === '' ? undefined : username, decodeURIComponent(userinfo.slice(colon + 1))];
}

function parseHosts(list: string, defaultPort: number): RedisHost[] {
  const hosts = list.split(',').map((entry) => {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(entry);
    const found = bracketed ?? plain;
    if (found?.[1] === undefined) throw new Error(`invalid Redis host "${entry}"`);
    const port = found[2] === undefined ? defaultPort : Number(found[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      throw new Error(`invalid Redis port in "${entry}"`);
    return { host: found[1], port };
  });
  return hosts;
}

function parseDatabase(text: string): number {
  const db = Number(text);
  if (!Number.isInteger(db) || db < 0) throw new Error(`invalid Redis database "${text}"`);
  return db;
}
