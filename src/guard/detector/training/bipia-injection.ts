/**
 * BIPIA's way of building an attacked sample: the attack instruction inserted into a clean context
 * at its start, in its middle (at the sentence or line break nearest the middle) or at its end.
 */
export const insertPositions = ['start', 'middle', 'end'] as const;
export type InsertPosition = (typeof insertPositions)[number];

function middleBreak(context: string): number {
  const middle = Math.floor(context.length / 2);
  let best = -1;
  for (const breakExpression of [/\n/g, /[.!?] /g]) {
    for (let match = breakExpression.exec(context); match !== null; match = breakExpression.exec(context)) {
      const at = match.index + match[0].length;
      if (best < 0 || Math.abs(at - middle) < Math.abs(best - middle)) best = at;
    }
    if (best >= 0) return best;
  }
  return middle;
}

/** A text with an inserted attack, and where the attack is in it. */
export interface Inserted {
  readonly text: string;
  readonly span: { readonly start: number; readonly end: number };
}

export function insertAttack(context: string, attack: string, position: InsertPosition): Inserted {
  const at = position === 'start' ? 0 : position === 'end' ? context.length : middleBreak(context);
  const before = context.slice(0, at);
  const after = context.slice(at);
  const lead = before === '' ? '' : `${before}\n`;
  const text = `${lead}${attack}${after === '' ? '' : `\n${after}`}`;
  return { text, span: { start: lead.length, end: lead.length + attack.length } };
}

export interface AttackedContext extends Inserted {
  readonly category: string;
  readonly family: 'text' | 'code';
  readonly attackIndex: number;
}

/**
 * Every attack in each of the three positions, each time in another context (chosen by index, so
 * the set is the same on every run).
 */
export function attackedContexts(
  attacks: readonly { readonly text: string; readonly category: string; readonly family: 'text' | 'code' }[],
  contexts: readonly string[],
  firstIndex = 0,
): readonly AttackedContext[] {
  const built: AttackedContext[] = [];
  attacks.forEach((attack, index) => {
    const attackIndex = firstIndex + index;
    insertPositions.forEach((position, positionIndex) => {
      const context =
        contexts[(attackIndex * insertPositions.length + positionIndex) % contexts.length] ?? '';
      built.push({
        ...insertAttack(context, attack.text, position),
        category: attack.category,
        family: attack.family,
        attackIndex,
      });
    });
  });
  return built;
}
