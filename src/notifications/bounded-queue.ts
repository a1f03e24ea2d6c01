/**
 * A first-in first-out queue of fixed capacity: a ring buffer, so adding and taking are O(1)
 * however full it is. Adding to a full queue evicts the oldest item and returns it: a channel whose
 * queue is full has been failing for a while, and of what it holds the newest is the most current
 * (docs/decisions/0010-notification-delivery.md).
 */
export interface BoundedQueue<Item> {
  /** Adds `item`; returns the evicted oldest item when the queue was full. */
  push(item: Item): { readonly evicted: Item } | undefined;
  /** The oldest item, removed; undefined when empty. */
  shift(): Item | undefined;
  /** Removes and returns everything, oldest first. */
  drain(): Item[];
  readonly length: number;
}

export function createBoundedQueue<Item>(capacity: number): BoundedQueue<Item> {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError('capacity must be a positive integer');
  const slots: (Item | undefined)[] = new Array<Item | undefined>(capacity);
  let head = 0;
  let length = 0;

  const shift = (): Item | undefined => {
    if (length === 0) return undefined;
    const item = slots[head];
    slots[head] = undefined;
    head = (head + 1) % capacity;
    length -= 1;
    return item;
  };

  return {
    push(item) {
      const evicted = length === capacity ? shift() : undefined;
      slots[(head + length) % capacity] = item;
      length += 1;
      return evicted === undefined ? undefined : { evicted };
    },
    shift,
    drain() {
      const items: Item[] = [];
      for (let item = shift(); item !== undefined; item = shift()) items.push(item);
      return items;
    },
    get length() {
      return length;
    },
  };
}
