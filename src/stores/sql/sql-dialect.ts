export type SqlDialect = 'sqlite' | 'postgres';

/** Postgres when a `postgres://` or `postgresql://` URL is configured, the embedded SQLite otherwise. */
export function dialectOf(databaseUrl: string | undefined): SqlDialect {
  if (databaseUrl === undefined || databaseUrl === '') return 'sqlite';
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return 'postgres';
  throw new Error(
    'unsupported database_url: expected postgres:// or postgresql://, or none for the embedded database',
  );
}
