import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBoundedQueue } from './bounded-queue.js';

describe('the bounded queue', () => {
  it('is first in, first out', () => {
    const queue = createBoundedQueue<number>(3);
    queue.push(1);
    queue.push(2);
    expect(queue.shift()).toBe(1);
    queue.push(3);
    queue.push(4);
    expect(queue.length).toBe(3);
    expect(queue.drain()).toEqual([2, 3, 4]);
    expect(queue.shift()).toBeUndefined();
    expect(queue.length).toBe(0);
  });

  it('evicts the oldest item when full and says which', () => {
    const queue = createBoundedQueue<string>(2);
    expect(queue.push('a')).toBeUndefined();
    expect(queue.push('b')).toBeUndefined();
    expect(queue.push('c')).toEqual({ evicted: 'a' });
    expect(queue.push('d')).toEqual({ evicted: 'b' });
    expect(queue.length).toBe(2);
    expect(queue.drain()).toEqual(['c', 'd']);
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN])
      expect(() => createBoundedQueue(capacity)).toThrow(RangeError);
  });

  it('behaves like an array that keeps the newest `capacity` items', () => {
    const operation = fc.oneof(
      fc.integer().map((value) => ({ push: value })),
      fc.constant({ shift: true }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(operation, { maxLength: 200 }),
        (capacity, operations) => {
          const queue = createBoundedQueue<number>(capacity);
          const model: number[] = [];
          for (const step of operations) {
            if ('push' in step) {
              const evicted = model.length === capacity ? model.shift() : undefined;
              model.push(step.push);
              expect(queue.push(step.push)).toEqual(evicted === undefined ? undefined : { evicted });
            } else {
              expect(queue.shift()).toBe(model.shift());
            }
            expect(queue.length).toBe(model.length);
          }
          expect(queue.drain()).toEqual(model);
        },
      ),
    );
  });
});
