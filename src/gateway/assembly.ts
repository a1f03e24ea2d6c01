import type { FastifyInstance } from 'fastify';
import type { StageSlots } from '../pipeline/index.js';

/** The state one readiness check reports, and whether the replica can take traffic in it. */
export interface CheckedState {
  readonly state: string;
  readonly ready: boolean;
}

/** One line of `/health/ready`: `name` is its key in `checks`. */
export interface ReadinessCheck {
  readonly name: string;
  check(): CheckedState | Promise<CheckedState>;
}

/** Adds routes that are not model calls (agent authorization, review queue, MCP) to the HTTP app. */
export type RouteRegistration = (app: FastifyInstance) => void;

/** What one area of the gateway adds when it is assembled. */
export interface Contribution<Parts> {
  /** What later assemblers (and the gateway itself) use. */
  readonly parts: Parts;
  /** Reported by `/health/ready` in assembly order. */
  readonly readiness?: readonly ReadinessCheck[];
  /** Releases what the area opened; runs once, after every area assembled later has closed. */
  readonly close?: () => void | Promise<void>;
  /** The pipeline slots the area fills (stage-order.ts names them); a slot is filled once. */
  readonly stages?: StageSlots;
  readonly routes?: readonly RouteRegistration[];
}

export interface Assembly {
  /** Keeps what an area added (close, readiness, stages, routes) and returns its parts. */
  add<Parts>(area: string, contribution: Contribution<Parts>): Parts;
  readinessChecks(): readonly ReadinessCheck[];
  /** Every slot the areas filled. */
  stages(): StageSlots;
  routes(): readonly RouteRegistration[];
  /**
   * Closes every area, the last assembled first. Every close runs even when an earlier one fails;
   * the first failure is then rethrown. Calling it again returns the same closing.
   */
  close(): Promise<void>;
}

export function createAssembly(): Assembly {
  const closers: (() => void | Promise<void>)[] = [];
  const readiness: ReadinessCheck[] = [];
  const stages: Record<string, unknown> & StageSlots = {};
  const routes: RouteRegistration[] = [];
  let closing: Promise<void> | undefined;

  return {
    add(area, contribution) {
      if (closing !== undefined) throw new Error(`cannot add ${area}: the gateway is closing`);
      if (contribution.close !== undefined) closers.push(contribution.close);
      readiness.push(...(contribution.readiness ?? []));
      fillSlots(stages, area, contribution.stages ?? {});
      routes.push(...(contribution.routes ?? []));
      return contribution.parts;
    },
    readinessChecks: () => readiness,
    stages: () => stages,
    routes: () => routes,
    close() {
      closing ??= closeInReverse(closers);
      return closing;
    },
  };
}

function fillSlots(filled: Record<string, unknown>, area: string, slots: StageSlots): void {
  for (const [slot, stage] of Object.entries(slots)) {
    if (stage === undefined) continue;
    if (filled[slot] !== undefined)
      throw new Error(`${area} fills the pipeline slot ${slot}, already filled`);
    filled[slot] = stage;
  }
}

async function closeInReverse(closers: readonly (() => void | Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/**
 * Runs `build` with a new assembly. Should it throw half way (the database opened, then Redis's
 * URL turned out wrong), what was assembled so far is closed before the error is rethrown, so a
 * failed start leaves no connection, timer or file open; `closeFailed` hears of any close that
 * failed on the way.
 */
export async function assembleOrUnwind<Built>(
  build: (assembly: Assembly) => Promise<Built>,
  closeFailed: (error: unknown) => void,
): Promise<Built> {
  const assembly = createAssembly();
  try {
    return await build(assembly);
  } catch (error) {
    await assembly.close().catch(closeFailed);
    throw error;
  }
}
