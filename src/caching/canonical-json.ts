/**
 * JSON with object keys in sorted order and `undefined` properties left out, so that two values
 * equal as data serialise to the same text whatever order their keys were written in. Arrays keep
 * their order: in a prompt, order is meaning.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(value: unknown, parts: string[]): void {
  if (value === null || typeof value !== 'object') {
    // `undefined`, functions and symbols have no JSON form; inside arrays JSON writes them as null.
    parts.push(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    parts.push('[');
    (value as readonly unknown[]).forEach((item, index) => {
      if (index > 0) parts.push(',');
      write(item, parts);
    });
    parts.push(']');
    return;
  }
  const record = value as Readonly<Record<string, unknown>>;
  parts.push('{');
  let first = true;
  for (const name of Object.keys(record).sort()) {
    const item = record[name];
    if (item === undefined) continue;
    if (!first) parts.push(',');
    first = false;
    parts.push(JSON.stringify(name), ':');
    write(item, parts);
  }
  parts.push('}');
}
