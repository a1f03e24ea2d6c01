import {
  emptyFaultPlan,
  mergeFaultPlans,
  parseFaultHeader,
  parseFaultModelName,
  type FaultHeaderParse,
  type MockFault,
  type MockFaultPlan,
} from './mock-faults.js';

/**
 * A responder's memory about faults: parsed plans (a model name or header value is parsed once,
 * not per request) and which `once` faults have already fired for which key. Both are bounded,
 * oldest first out, because keys come from callers and memory must stay flat in a long benchmark.
 */

const rememberedPlans = 1024;
const rememberedOnceKeys = 100_000;

function remember<Value>(map: Map<string, Value>, key: string, value: Value, limit: number): Value {
  if (map.size >= limit) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
  return value;
}

export type PlanResult =
  { readonly ok: true; readonly plan: MockFaultPlan } | { readonly ok: false; readonly message: string };

export class FaultState {
  private readonly modelPlans = new Map<string, MockFaultPlan>();
  private readonly headerPlans = new Map<string, FaultHeaderParse>();
  private readonly mergedPlans = new Map<string, MockFaultPlan>();
  private readonly fired = new Map<string, true>();

  /** The faults a request asks for by its model name and its `x-mock-fault` header. */
  planFor(model: string, header: string | undefined): PlanResult {
    const fromModel =
      this.modelPlans.get(model) ??
      remember(this.modelPlans, model, parseFaultModelName(model), rememberedPlans);
    if (header === undefined) return { ok: true, plan: fromModel };
    const fromHeader =
      this.headerPlans.get(header) ??
      remember(this.headerPlans, header, parseFaultHeader(header), rememberedPlans);
    if (!fromHeader.ok) return fromHeader;
    if (fromModel === emptyFaultPlan) return fromHeader;
    const key = `${model}\u0000${header}`;
    const merged =
      this.mergedPlans.get(key) ??
      remember(this.mergedPlans, key, mergeFaultPlans(fromModel, fromHeader.plan), rememberedPlans);
    return { ok: true, plan: merged };
  }

  /**
   * Whether a fault that is due fires now: always, or for a `once` fault only the first time for
   * this key. Call it only when the fault's own condition holds, so a fault that did not apply
   * (a prefill refusal without a prefill) keeps its one shot.
   */
  fires(fault: MockFault, key: string): boolean {
    if (!fault.once) return true;
    const firedKey = `${fault.key}\u0000${key}`;
    if (this.fired.has(firedKey)) return false;
    remember(this.fired, firedKey, true, rememberedOnceKeys);
    return true;
  }
}
