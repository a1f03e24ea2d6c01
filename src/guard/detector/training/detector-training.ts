import type {
  DataSource,
  DetectorDomain,
  DetectorModel,
  DomainCalibration,
  WeightsHeader,
} from '../weights-file.js';
import type { WindowLayout } from '../windows.js';
import { compileLexicon, type FeatureSettings } from '../features.js';
import { conceptLexicon } from './concept-lexicon.js';
import { calibrate, crossValidatedMargins, trainOn, type HeldOutMargin } from './cross-validation.js';
import { featurise, type TrainingRow } from './instances.js';
import type { TrainingOptions } from './logistic-regression.js';
import { quantiseWeights } from './quantise.js';
import { buildTrainingRows, defaultMixWeights, type MixWeights } from './training-set.js';

/** Everything that determines the shipped weights; the header records it. */
export interface DetectorRecipe {
  readonly training: TrainingOptions;
  readonly features: FeatureSettings;
  readonly window: WindowLayout;
  readonly mix: MixWeights;
  readonly folds: number;
  /** The cross-validated false-positive rate each origin of negatives is held to, per domain. */
  readonly targetFalsePositiveRate: Readonly<Record<DetectorDomain, Readonly<Record<string, number>>>>;
}

export const defaultRecipe: DetectorRecipe = {
  training: {
    bucketBits: 18,
    epochs: 12,
    warmupEpochs: 1,
    averageFrom: 12,
    naiveBayesSmoothing: 0,
    learningRate: 0.5,
    l2: 1e-6,
    seed: 20_240_601,
    ensemble: 3,
  },
  features: { shortestGram: 3, longestGram: 5, wordWeight: 2, conceptWeight: 4, conceptReach: 4 },
  window: { size: 300, stride: 150 },
  mix: defaultMixWeights,
  folds: 5,
  targetFalsePositiveRate: {
    direct: { deepset: 0.03, bipia: 0.06, own: 0.08, 'own-contrast': 0.08 },
    indirect: { bipia: 0.04, own: 0.08, 'own-contrast': 0.08 },
  },
};

export const dataSources: readonly DataSource[] = [
  {
    name: 'deepset/prompt-injections',
    licence: 'Apache-2.0',
    origin:
      'https://huggingface.co/datasets/deepset/prompt-injections (parquet converted to JSONL: sinanw/llm-security-prompt-injection@c8af0b015a9a4f3380f9e20214828c2dbeadc72c)',
    files: ['data/guard/deepset/train.jsonl'],
    use: 'training (its test split only evaluates)',
  },
  {
    name: 'BIPIA (microsoft/BIPIA)',
    licence: 'MIT (its e-mail contexts: OpenAI Evals, MIT)',
    origin: 'https://github.com/microsoft/BIPIA/tree/1a2a91da6bb12838e05d1b2e54d98e2f37b835f3/benchmark',
    files: [
      'data/guard/bipia/text_attack_train.json',
      'data/guard/bipia/code_attack_train.json',
      'data/guard/bipia/email_train.jsonl',
    ],
    use: 'training: attacks inserted into e-mails as positives, the e-mails clean as negatives (test files only evaluate)',
  },
  {
    name: 'Gatehouse hand-written rows',
    licence: 'Apache-2.0 (this repository)',
    origin: 'written for Gatehouse',
    files: ['data/guard/own/*.jsonl'],
    use: 'training: the four fifths outside the held-out split (by text hash), plus obfuscated copies and insertions into documents',
  },
];

const sourceDomains: WeightsHeader['sourceDomains'] = {
  input: 'direct',
  args: 'direct',
  tool_result: 'indirect',
  output: 'indirect',
};

function modelFrom(
  recipe: DetectorRecipe,
  weights: ReturnType<typeof trainOn>,
  calibration: Readonly<Record<DetectorDomain, DomainCalibration>>,
  training: Readonly<Record<string, unknown>>,
): DetectorModel {
  const quantised = quantiseWeights(weights);
  return {
    header: {
      description:
        'Prompt-injection detector: logistic regression over hashed character 2-5-grams and word 1-2-grams (and skip-bigrams) of folded text, scored in windows; trained by npm run train:guard.',
      sources: dataSources,
      bucketBits: recipe.training.bucketBits,
      features: recipe.features,
      lexicon: conceptLexicon,
      window: recipe.window,
      sourceDomains,
      weightScale: quantised.scale,
      bias: Array.from(weights.bias, (value) => Number(value.toFixed(9))),
      calibration,
      training,
    },
    weights: quantised.weights,
  };
}

const placeholderCalibration = {
  direct: { threshold: 0, slope: 1 },
  indirect: { threshold: 0, slope: 1 },
};

export interface TrainedDetector {
  readonly model: DetectorModel;
  readonly heldOut: readonly HeldOutMargin[];
  readonly rows: readonly TrainingRow[];
}

export function trainDetector(recipe: DetectorRecipe, log: (line: string) => void): TrainedDetector {
  const rows = buildTrainingRows(recipe.mix, recipe.training.seed, recipe.folds);
  const featurised = featurise(rows, {
    bucketBits: recipe.training.bucketBits,
    features: recipe.features,
    lexicon: compileLexicon(conceptLexicon),
    window: recipe.window,
  });
  log(
    `${rows.length} training rows, ${featurised.bags.length} bags, ${featurised.store.values.length} feature entries`,
  );
  const heldOut = crossValidatedMargins(rows, featurised, recipe.folds, (data, filter) =>
    modelFrom(recipe, trainOn(data, filter, recipe.training), placeholderCalibration, {}),
  );
  const calibration = {
    direct: calibrate(heldOut, 'direct', recipe.targetFalsePositiveRate.direct),
    indirect: calibrate(heldOut, 'indirect', recipe.targetFalsePositiveRate.indirect),
  };
  log(`calibration ${JSON.stringify(calibration)}`);
  const counts: Record<string, number> = {};
  for (const row of rows)
    counts[`${row.origin}:${row.label}`] = (counts[`${row.origin}:${row.label}`] ?? 0) + 1;
  const final = trainOn(featurised, () => true, recipe.training);
  const model = modelFrom(recipe, final, calibration, {
    algorithm: 'logistic regression, SGD, multiple-instance over windows, shared + per-domain weights',
    options: recipe.training,
    mix: recipe.mix,
    folds: recipe.folds,
    targetFalsePositiveRate: recipe.targetFalsePositiveRate,
    rows: counts,
  });
  return { model, heldOut, rows };
}
