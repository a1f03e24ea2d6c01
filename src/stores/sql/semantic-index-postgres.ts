import type { QueryResult, QueryResultRow } from 'pg';
import type { SemanticEntry, SemanticIndex, SemanticMatch, SemanticQuery } from '../../caching/index.js';

/** A `pg.Pool` (or client) satisfies this. */
export interface PostgresQueryable {
  query<Row extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<Row>>;
}

export type VectorSearch = 'pgvector' | 'array';

export interface PostgresSemanticIndexOptions {
  readonly pool: PostgresQueryable;
  /** Unquoted; default: the connection's search path. */
  readonly schema?: string | undefined;
  readonly table?: string | undefined;
  /** `auto` (default) uses pgvector when the `vector` extension is installed in the database. */
  readonly vectorSearch?: 'auto' | VectorSearch | undefined;
  /** Unix milliseconds. */
  readonly now?: (() => number) | undefined;
}

export interface PostgresSemanticIndex extends SemanticIndex {
  /** Creates the table and indexes if missing (the same SQL as `semanticIndexMigrationSql`). */
  ensureSchema(): Promise<void>;
  /** How nearest-neighbour searches run on this database. */
  vectorSearch(): Promise<VectorSearch>;
}

const defaultTable = 'gatehouse_semantic_cache';
/** Expired rows of every scope are swept at most this often (each add prunes its own scope). */
const sweepIntervalMs = 60_000;
/** pgvector's HNSW indexes `vector` columns of up to 2,000 dimensions; larger ones are searched exactly. */
const maxIndexedDimensions = 2_000;

/**
 * The table of the semantic index, for a migration. Embeddings are `real[]`, which needs no
 * extension; with pgvector installed the same column is cast to `vector(n)` and searched with
 * `<=>` through a partial HNSW index per dimension count (created on first use of that count).
 */
export function semanticIndexMigrationSql(schema?: string, table: string = defaultTable): string {
  const name = qualified(schema, table);
  return `
create table if not exists ${name} (
  id bigserial primary key,
  scope text not null,
  model text not null,
  partition text not null,
  entry_hash text not null,
  dimensions integer not null,
  embedding real[] not null,
  expires_at timestamptz not null,
  last_used_at timestamptz not null,
  unique (scope, model, entry_hash)
);
create index if not exists ${quote(`${table}_search`)} on ${name} (scope, model, partition, dimensions);
create index if not exists ${quote(`${table}_recency`)} on ${name} (scope, model, last_used_at);
create index if not exists ${quote(`${table}_expiry`)} on ${name} (expires_at);
`;
}

/**
 * The semantic index in Postgres, shared by every replica. Searches are exact within one scope,
 * model and partition, whose size `max_entries` bounds: without pgvector the dot products are
 * summed in SQL over `unnest`; with it, `<=>` (cosine distance) orders the candidates.
 */
export function createPostgresSemanticIndex(options: PostgresSemanticIndexOptions): PostgresSemanticIndex {
  const { pool } = options;
  const table = options.table ?? defaultTable;
  const name = qualified(options.schema, table);
  const now = options.now ?? Date.now;
  const indexedDimensions = new Set<number>();
  let mode: Promise<VectorSearch> | undefined;
  let lastSweep = 0;

  function vectorSearch(): Promise<VectorSearch> {
    const configured = options.vectorSearch ?? 'auto';
    if (configured !== 'auto') return Promise.resolve(configured);
    mode ??= pool
      .query("select 1 from pg_extension where extname = 'vector'")
      .then((result) => (result.rows.length > 0 ? 'pgvector' : 'array'));
    // A failed probe is asked again next time rather than remembered.
    mode.catch(() => {
      mode = undefined;
    });
    return mode;
  }

  async function ensureVectorIndex(dimensions: number): Promise<void> {
    if (indexedDimensions.has(dimensions) || dimensions > maxIndexedDimensions) return;
    const index = quote(`${table}_hnsw_${dimensions}`);
    await pool.query(
      `create index concurrently if not exists ${index} on ${name} ` +
        `using hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) where dimensions = ${dimensions}`,
    );
    indexedDimensions.add(dimensions);
  }

  async function nearest(query: SemanticQuery): Promise<SemanticMatch | undefined> {
    const dimensions = query.vector.length;
    const embedding = Array.from(query.vector);
    const at = new Date(now());
    const result =
      (await vectorSearch()) === 'pgvector'
        ? await pool.query<{ entry_hash: string; similarity: number }>(
            `select entry_hash, 1 - (embedding::vector(${dimensions}) <=> $4::real[]::vector(${dimensions})) as similarity
               from ${name}
              where scope = $1 and model = $2 and partition = $3 and dimensions = ${dimensions} and expires_at > $5
              order by embedding::vector(${dimensions}) <=> $4::real[]::vector(${dimensions})
              limit 1`,
            [query.scope, query.model, query.partition, embedding, at],
          )
        : await pool.query<{ entry_hash: string; similarity: number }>(
            `select entry_hash, similarity from (
               select entry_hash,
                      (select sum(a::float8 * b::float8) from unnest(embedding, $4::real[]) as pair(a, b)) as similarity
                 from ${name}
                where scope = $1 and model = $2 and partition = $3 and dimensions = $5 and expires_at > $6
             ) as candidates
             where similarity >= $7
             order by similarity desc
             limit 1`,
            [query.scope, query.model, query.partition, embedding, dimensions, at, query.threshold],
          );
    const row = result.rows[0];
    if (row === undefined || row.similarity < query.threshold) return undefined;
    await pool.query(
      `update ${name} set last_used_at = $4 where scope = $1 and model = $2 and entry_hash = $3`,
      [query.scope, query.model, row.entry_hash, at],
    );
    return { entryHash: row.entry_hash, similarity: row.similarity };
  }

  async function add(entry: SemanticEntry, maxEntries: number): Promise<void> {
    const dimensions = entry.vector.length;
    if ((await vectorSearch()) === 'pgvector') await ensureVectorIndex(dimensions);
    const time = now();
    await pool.query(
      `insert into ${name} (scope, model, partition, entry_hash, dimensions, embedding, expires_at, last_used_at)
       values ($1, $2, $3, $4, $5, $6::real[], $7, $8)
       on conflict (scope, model, entry_hash) do update
         set partition = excluded.partition, dimensions = excluded.dimensions, embedding = excluded.embedding,
             expires_at = excluded.expires_at, last_used_at = excluded.last_used_at`,
      [
        entry.scope,
        entry.model,
        entry.partition,
        entry.entryHash,
        dimensions,
        Array.from(entry.vector),
        new Date(entry.expiresAt),
        new Date(time),
      ],
    );
    // The least recently used beyond the bound go, and this scope and model's expired rows.
    await pool.query(
      `delete from ${name} where scope = $1 and model = $2 and (expires_at <= $3 or id in (
         select id from ${name} where scope = $1 and model = $2 order by last_used_at desc, id desc offset $4))`,
      [entry.scope, entry.model, new Date(time), Math.max(1, maxEntries)],
    );
    if (time - lastSweep >= sweepIntervalMs) {
      lastSweep = time;
      await pool.query(`delete from ${name} where expires_at <= $1`, [new Date(time)]);
    }
  }

  return {
    ensureSchema: async () => {
      await pool.query(semanticIndexMigrationSql(options.schema, table));
    },
    vectorSearch,
    nearest,
    add,
    remove: async (scope, model, entryHash) => {
      await pool.query(`delete from ${name} where scope = $1 and model = $2 and entry_hash = $3`, [
        scope,
        model,
        entryHash,
      ]);
    },
    purge: async (selector) => {
      const result = await pool.query(
        `delete from ${name} where ($1::text is null or scope = $1) and ($2::text is null or model = $2)`,
        [selector.scope ?? null, selector.model ?? null],
      );
      return result.rowCount ?? 0;
    },
    count: async () => {
      const result = await pool.query<{ count: number }>(
        `select count(*)::int as count from ${name} where expires_at > $1`,
        [new Date(now())],
      );
      return result.rows[0]?.count ?? 0;
    },
  };
}

function qualified(schema: string | undefined, table: string): string {
  return schema === undefined ? quote(table) : `${quote(schema)}.${quote(table)}`;
}

/** Names come from configuration or tests, never from callers; still, only plain identifiers pass. */
function quote(identifier: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(identifier)) {
    throw new Error(`Not a plain SQL identifier: ${JSON.stringify(identifier)}`);
  }
  return `"${identifier}"`;
}
