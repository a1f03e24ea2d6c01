import type { Expr } from '@cedar-policy/cedar-wasm/nodejs';
import type { RequestEnvironment } from './request-values.js';
import type { CedarValue } from './values.js';

/** An expression compiled to a function of the request; it throws `EvaluationFailure` where Cedar errs. */
export type Evaluate = (environment: RequestEnvironment) => CedarValue;

/** Compiles a sub-expression, one level deeper. */
export type Compile = (child: Expr) => Evaluate;
