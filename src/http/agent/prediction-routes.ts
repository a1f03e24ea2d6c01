import type { FastifyInstance } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';
import { queueAccess, type QueueCallers } from './queue-routes.js';

/**
 * What the models route shows of each model, declared structurally so http/ imports no feature
 * module (governance's ModelReport satisfies it).
 */
export interface ModelView {
  readonly name: string;
  readonly state: string;
  readonly inUse: boolean;
  readonly version: string | undefined;
  readonly trainedAt: number | undefined;
  readonly lastTrainingAt: number | undefined;
  readonly trainings: number;
  readonly samples: {
    readonly inWindow: number | undefined;
    readonly training: number | undefined;
    readonly heldOut: number | undefined;
  };
  readonly heldOutAccuracy: number | undefined;
  readonly minSamples: number;
  readonly windowMs: number;
  readonly updateIntervalMs: number;
  readonly threshold: number;
  readonly autoResolve?: string;
  readonly calibration?: {
    readonly brier: { readonly measured: number; readonly calibrated: number };
    readonly range: { readonly lowest: number; readonly highest: number };
  };
}

export interface PredictionRoutesDependencies {
  readonly models: () => readonly ModelView[];
  /** The queue's callers: who may review may see the models that advise them. */
  readonly keys: QueueCallers;
  readonly codec: DialectCodec;
}

const notReviewer = new GatewayError(
  'permission_denied',
  'The models route needs the master key, or an admin or reviewer key not bound to an agent.',
);

const iso = (milliseconds: number | undefined) =>
  milliseconds === undefined ? null : new Date(milliseconds).toISOString();
const seconds = (milliseconds: number) => milliseconds / 1000;

function modelJson(model: ModelView): Record<string, unknown> {
  return {
    name: model.name,
    status: model.state,
    in_use: model.inUse,
    version: model.version ?? null,
    trained_at: iso(model.trainedAt),
    last_training_at: iso(model.lastTrainingAt),
    trainings: model.trainings,
    samples: {
      in_window: model.samples.inWindow ?? null,
      training: model.samples.training ?? null,
      held_out: model.samples.heldOut ?? null,
    },
    held_out_accuracy: model.heldOutAccuracy ?? null,
    min_samples: model.minSamples,
    window_seconds: seconds(model.windowMs),
    update_interval_seconds: seconds(model.updateIntervalMs),
    threshold: model.threshold,
    ...(model.autoResolve === undefined ? {} : { auto_resolve: model.autoResolve }),
    ...(model.calibration === undefined ? {} : { calibration: model.calibration }),
  };
}

/**
 * `GET /v1/analytics/models`: the review-outcome model and the confidence calibrator on the replica
 * that answers (each trains on its own from the shared database): state, version, sample counts,
 * held-out accuracy, when trained, and the settings that govern them.
 */
export function registerPredictionRoutes(
  app: FastifyInstance,
  dependencies: PredictionRoutesDependencies,
): void {
  const { keys, codec } = dependencies;
  app.get('/v1/analytics/models', async (request, reply) => {
    const authenticated = await keys.authenticate(request.headers);
    if (authenticated.type === 'rejected') return renderError(reply, codec, authenticated.error, request.id);
    const access = queueAccess(authenticated.principal);
    if (access instanceof GatewayError || access.type !== 'reviewer')
      return renderError(reply, codec, notReviewer, request.id);
    return reply.send({ object: 'list', data: dependencies.models().map(modelJson) });
  });
}
