/**
 * Finds a metric's series by its label values, in nested maps, so that a lookup on the request
 * path neither joins strings into a key nor builds a label object.
 */
export interface ChildCache<Child> {
  get(...values: readonly string[]): Child;
}

interface Level<Child> {
  readonly next: Map<string, Level<Child>>;
  child: Child | undefined;
}

export function createChildCache<Child>(create: (values: readonly string[]) => Child): ChildCache<Child> {
  const root: Level<Child> = { next: new Map(), child: undefined };
  return {
    get(...values) {
      let level = root;
      for (const value of values) {
        let next = level.next.get(value);
        if (next === undefined) {
          next = { next: new Map(), child: undefined };
          level.next.set(value, next);
        }
        level = next;
      }
      level.child ??= create(values);
      return level.child;
    },
  };
}
