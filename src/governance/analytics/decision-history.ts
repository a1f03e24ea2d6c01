import type { DecisionKind } from '../contract.js';
import type { DecisionSample } from './behaviour.js';

/**
 * An agent's latest decisions, oldest overwritten first: a ring of fixed capacity in typed arrays
 * (21 bytes a decision), so recording one on the request path writes four numbers and
 * allocates nothing. Action names are numbered per agent; the table is rebuilt from what the ring
 * still holds when it grows past four times the capacity, so it stays bounded too.
 */

const kinds: readonly DecisionKind[] = ['allow', 'read_only', 'human_review', 'deny'];
const kindCodes: ReadonlyMap<string, number> = new Map(kinds.map((kind, code) => [kind, code]));

export class DecisionHistory {
  private readonly times: Float64Array;
  private readonly confidences: Float64Array;
  private readonly outcomes: Uint8Array;
  private readonly actions: Uint32Array;
  private actionNames: string[] = [];
  private actionNumbers = new Map<string, number>();
  /** Where the next decision goes. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
    this.confidences = new Float64Array(capacity);
    this.outcomes = new Uint8Array(capacity);
    this.actions = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  record(time: number, action: string, decision: DecisionKind, confidence: number | undefined): void {
    const slot = this.next;
    this.times[slot] = time;
    this.confidences[slot] = confidence ?? Number.NaN;
    this.outcomes[slot] = kindCodes.get(decision) ?? 0;
    this.actions[slot] = this.numberOf(action);
    this.next = (slot + 1) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
  }

  /** Unix ms of the latest decision recorded; 0 when none. */
  latestTime(): number {
    return this.count === 0 ? 0 : (this.times[(this.next + this.capacity - 1) % this.capacity] ?? 0);
  }

  /**
   * The latest `limit` decisions (oldest first), only those after `after` (Unix ms) when given.
   * Allocates: for the background work (baselines, scores), never the request path.
   */
  latest(limit: number, after?: number): DecisionSample[] {
    const samples: DecisionSample[] = [];
    for (let back = 1; back <= this.count && samples.length < limit; back += 1) {
      const slot = (this.next + this.capacity - back) % this.capacity;
      const time = this.times[slot] ?? 0;
      if (after !== undefined && time <= after) continue;
      const confidence = this.confidences[slot] ?? Number.NaN;
      samples.push({
        time,
        action: this.actionNames[this.actions[slot] ?? 0] ?? '',
        decision: kinds[this.outcomes[slot] ?? 0] ?? 'allow',
        confidence: Number.isNaN(confidence) ? undefined : confidence,
      });
    }
    return samples.reverse();
  }

  private numberOf(action: string): number {
    const known = this.actionNumbers.get(action);
    if (known !== undefined) return known;
    if (this.actionNames.length >= this.capacity * 4) this.compactActions();
    const number = this.actionNames.length;
    this.actionNames.push(action);
    this.actionNumbers.set(action, number);
    return number;
  }

  /** Renumbers the actions the ring still holds; forgotten names go. */
  private compactActions(): void {
    const names: string[] = [];
    const numbers = new Map<string, number>();
    for (let back = 1; back <= this.count; back += 1) {
      const slot = (this.next + this.capacity - back) % this.capacity;
      const name = this.actionNames[this.actions[slot] ?? 0] ?? '';
      let number = numbers.get(name);
      if (number === undefined) {
        number = names.length;
        names.push(name);
        numbers.set(name, number);
      }
      this.actions[slot] = number;
    }
    this.actionNames = names;
    this.actionNumbers = numbers;
  }
}
