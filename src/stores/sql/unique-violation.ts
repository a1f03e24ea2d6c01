import type { SqlDialect } from './sql-dialect.js';

/**
 * Whether an error is a violation of the named unique constraint (declared in the migrations).
 *
 * Postgres reports SQLSTATE 23505 with the constraint's name. node:sqlite reports the extended
 * result code SQLITE_CONSTRAINT_UNIQUE (2067) and names the columns, not the constraint, in the
 * message ("UNIQUE constraint failed: api_keys.name"), so the table and column are matched there.
 */
export function isUniqueViolation(
  error: unknown,
  dialect: SqlDialect,
  constraint: { readonly name: string; readonly table: string; readonly column: string },
): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as { code?: unknown; constraint?: unknown; errcode?: unknown; message?: unknown };
  switch (dialect) {
    case 'postgres':
      return fields.code === '23505' && fields.constraint === constraint.name;
    case 'sqlite':
      return (
        fields.errcode === sqliteConstraintUnique &&
        typeof fields.message === 'string' &&
        sqliteColumns(fields.message).includes(`${constraint.table}.${constraint.column}`)
      );
    default: {
      const unknownDialect: never = dialect;
      throw new Error(`unknown dialect ${String(unknownDialect)}`);
    }
  }
}

const sqliteConstraintUnique = 2067;

/** "UNIQUE constraint failed: t.a, t.b" → ["t.a", "t.b"] */
function sqliteColumns(message: string): readonly string[] {
  const marker = 'constraint failed: ';
  const start = message.indexOf(marker);
  return start === -1 ? [] : message.slice(start + marker.length).split(', ');
}
