/**
 * Which attributes of `context` a policy reads, from its JSON form: `context.x`, `context["x"]`
 * and `context has x` (or `has x.y`) read `x`; any other use of `context` (compared whole, passed
 * along) reads all of it. A request evaluated against a set of policies then carries only the
 * attributes they read: converting `args` (any JSON the caller sent) and each decimal is most of
 * a Cedar call's cost, and a policy that never reads an attribute decides the same without it.
 */
export type ContextNeeds =
  { readonly type: 'all' } | { readonly type: 'some'; readonly names: ReadonlySet<string> };

export const noContextNeeds: ContextNeeds = { type: 'some', names: new Set() };

export function contextNeedsOf(conditions: unknown): ContextNeeds {
  const names = new Set<string>();
  return readsWholeContext(conditions, names) ? { type: 'all' } : { type: 'some', names };
}

export function unionOfNeeds(needs: readonly ContextNeeds[]): ContextNeeds {
  const names = new Set<string>();
  for (const need of needs) {
    if (need.type === 'all') return need;
    for (const name of need.names) names.add(name);
  }
  return { type: 'some', names };
}

/** Walks the expression, collecting attribute reads into `names`; true when `context` is used whole. */
function readsWholeContext(node: unknown, names: Set<string>): boolean {
  if (Array.isArray(node)) return node.some((element) => readsWholeContext(element, names));
  if (typeof node !== 'object' || node === null) return false;
  const record = node as Record<string, unknown>;
  if (record.Var === 'context') return true;
  for (const [key, value] of Object.entries(record)) {
    const attribute = key === '.' || key === 'has' ? contextAttribute(value) : undefined;
    if (attribute !== undefined) {
      names.add(attribute);
      continue;
    }
    if (readsWholeContext(value, names)) return true;
  }
  return false;
}

/** The attribute of `{ left: { Var: "context" }, attr }`, if that is what `access` is. */
function contextAttribute(access: unknown): string | undefined {
  if (typeof access !== 'object' || access === null) return undefined;
  const { left, attr } = access as { left?: unknown; attr?: unknown };
  if (typeof left !== 'object' || left === null || (left as { Var?: unknown }).Var !== 'context') {
    return undefined;
  }
  const first: unknown = Array.isArray(attr) ? attr[0] : attr;
  return typeof first === 'string' ? first : undefined;
}
