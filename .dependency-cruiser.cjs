/**
 * Import boundaries from docs/ARCHITECTURE (shared): leaves stay leaves, feature modules never
 * import each other, only the composition root (src/gateway/) builds concrete stores and providers.
 */
const features =
  '(caching|limits|accounting|keys|governance|guard|tools|conversations|routing|notifications)';
module.exports = {
  forbidden: [
    {
      name: 'leaf-llm-errors',
      comment: 'llm/ and errors/ import nothing of ours',
      severity: 'error',
      from: { path: '^src/(llm|errors)/' },
      to: { path: '^src/', pathNot: '^src/(llm|errors)/' },
    },
    {
      name: 'dialects-are-leaves',
      comment: 'wire-format codecs depend only on canonical types and errors',
      severity: 'error',
      from: { path: '^src/dialects/' },
      to: { path: '^src/', pathNot: '^src/(llm|errors|dialects)/' },
    },
    {
      name: 'features-stay-apart',
      comment:
        'feature modules import llm/, errors/, telemetry/, dialects/, durable/ and nothing else of ours (not config/: each receives its own settings type)',
      severity: 'error',
      from: { path: `^src/${features}/` },
      to: {
        path: '^src/',
        pathNot: [
          `^src/$1/`,
          '^src/(llm|errors|telemetry|dialects|durable)/',
          // Routing calls providers through the adapter contract, never a provider by name.
          '^src/providers/contract\\.ts$',
        ],
      },
    },
    {
      name: 'durable-is-a-leaf',
      comment:
        'the durable writer (usage, audit) is shared by features: it imports only errors/ and telemetry/',
      severity: 'error',
      from: { path: '^src/durable/' },
      to: { path: '^src/', pathNot: '^src/(durable|errors|telemetry)/' },
    },
    {
      name: 'telemetry-is-a-leaf',
      comment:
        'logger, metrics and tracing import nothing of ours: what they need of a feature (the PII masker) is passed in by the composition root (decision 0019)',
      severity: 'error',
      from: { path: '^src/telemetry/' },
      to: { path: '^src/', pathNot: '^src/telemetry/' },
    },
    {
      name: 'pii-detector-is-a-leaf',
      comment:
        'the PII and secret detector is pure text work that config (the secret scrubber), the pipeline and the composition root share: it imports nothing of ours',
      severity: 'error',
      from: { path: '^src/guard/pii/' },
      to: { path: '^src/', pathNot: '^src/guard/pii/' },
    },
    {
      name: 'http-not-to-providers-or-stores',
      comment: 'http/ talks to the pipeline, never to providers or stores',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(providers|stores)/' },
    },
    {
      name: 'providers-stay-in-their-folder',
      comment: 'provider knowledge never leaves its folder',
      severity: 'error',
      from: { path: '^src/providers/([^/]+)/' },
      to: { path: '^src/providers/([^/]+)/', pathNot: ['^src/providers/$1/'] },
    },
    {
      name: 'only-the-composition-root-builds-concrete-things',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: ['^src/gateway/', '^src/cli/', '^src/providers/', '^src/stores/', '\\.test\\.ts$'],
      },
      to: { path: '^src/(providers/[^/]+/|stores/)' },
    },
    {
      name: 'nothing-depends-on-the-composition-root',
      comment: 'src/gateway/ wires everything; only the process entry and the CLI start it',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/gateway/', '^src/cli/', '^src/main\\.ts$'] },
      to: { path: '^src/gateway/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
