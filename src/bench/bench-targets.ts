import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import type { TargetName } from './bench-options.js';
import { chatBody } from './chat-bodies.js';
import type { ChildProcessGroup, RunningChild } from './child-processes.js';
import { gatewayBenchConfiguration, type GatewayBenchConfiguration } from './gateway-configuration.js';
import type { AuthorizeHttpTarget } from './authorize-http.js';
import type { LoadTarget } from './load-result.js';

/** Starts the mock provider and every target the run measures, each in its own process. */

export interface BenchPaths {
  /** The Node.js binary every child runs with (the one running the harness). */
  readonly nodeBinary: string;
  /** dist/main.js: the gateway and the mock provider. */
  readonly gatehouseMain: string;
  /** dist/bench/bare-proxy-main.js. */
  readonly bareProxyMain: string;
  /** dist/bench/memory-reporter.js, preloaded into the gateway by the soak. */
  readonly memoryReporter: string;
  /** Where peer gateways are installed (bench/peers). */
  readonly peersDirectory: string;
  /** A private temporary directory: logs, configuration, the gateway's data. */
  readonly workDirectory: string;
  /** PATH and HOME: children get these and what the harness sets, nothing else of the caller's. */
  readonly baseEnvironment: Readonly<Record<string, string>>;
}

export interface BenchTarget {
  readonly name: TargetName;
  readonly label: string;
  readonly load: LoadTarget;
  /** The proxy's process; none for `direct`, whose only process is the mock. */
  readonly process: RunningChild | undefined;
  /** Where and how to ask for agent authorization: Gatehouse targets only. */
  readonly authorize?: AuthorizeHttpTarget;
}

export interface StartedTargets {
  readonly mock: RunningChild;
  readonly targets: readonly BenchTarget[];
  /** Requested targets that could not be measured here, and why. */
  readonly skipped: readonly { readonly name: TargetName; readonly reason: string }[];
}

export interface StartTargetsOptions {
  readonly requested: readonly TargetName[];
  readonly redisUrl?: string;
  /** Preload the memory reporter into the gateway (soak), for heap samples over IPC. */
  readonly reportGatewayMemory?: boolean;
}

const chatPath = '/v1/chat/completions';
const upstreamModel = 'mock-bench';
/** The mock accepts any credential; sent anyway so every target gets the same header set. */
const providerCredential = 'Bearer bench-provider-key';
const portkeyStartScript = join('node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');

function loadTarget(url: string, model: string, headers: Readonly<Record<string, string>>): LoadTarget {
  return {
    url,
    path: chatPath,
    headers: { 'content-type': 'application/json', ...headers },
    nonStreamingBody: chatBody(model, false),
    streamingBody: chatBody(model, true),
    cacheableBody: chatBody(model, false, 0),
  };
}

function portkeyVersion(peersDirectory: string): string | undefined {
  try {
    const manifest = join(peersDirectory, 'node_modules', '@portkey-ai', 'gateway', 'package.json');
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
    return typeof parsed.version === 'string' ? parsed.version : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a gateway's configuration and starts it as `gatehouse start`, ready once it says so. */
async function launchGatehouse(
  name: string,
  configuration: GatewayBenchConfiguration,
  paths: BenchPaths,
  group: ChildProcessGroup,
  reportMemory = false,
): Promise<RunningChild> {
  const configurationFile = join(paths.workDirectory, `${name}.yaml`);
  writeFileSync(configurationFile, configuration.yaml);
  const preload = reportMemory ? ['--import', pathToFileURL(paths.memoryReporter).href] : [];
  return group.start({
    name,
    command: paths.nodeBinary,
    arguments: [...preload, paths.gatehouseMain, 'start', '--config', configurationFile, '--port', '0'],
    environment: { ...paths.baseEnvironment, NODE_ENV: 'production', ...configuration.environment },
    logFile: join(paths.workDirectory, `${name}.log`),
    readyPattern: /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"gatehouse started"/,
    ipc: reportMemory,
  });
}

function dataDirectoryFor(paths: BenchPaths, name: string): string {
  const dataDirectory = join(paths.workDirectory, `${name}-data`);
  mkdirSync(dataDirectory, { recursive: true });
  return dataDirectory;
}

async function startGatehouse(
  name: 'gatehouse' | 'gatehouse-redis',
  mock: RunningChild,
  paths: BenchPaths,
  group: ChildProcessGroup,
  options: StartTargetsOptions,
): Promise<BenchTarget> {
  const configuration = gatewayBenchConfiguration({
    upstreamUrl: mock.url,
    dataDirectory: dataDirectoryFor(paths, name),
    ...(name === 'gatehouse-redis' && options.redisUrl !== undefined ? { redisUrl: options.redisUrl } : {}),
  });
  const child = await launchGatehouse(
    name,
    configuration,
    paths,
    group,
    options.reportGatewayMemory === true,
  );
  const secret = await createVirtualKey(
    child.url,
    configuration.adminHeaders,
    configuration.virtualKeyRequest,
  );
  return {
    name,
    label: name === 'gatehouse' ? 'Gatehouse' : 'Gatehouse, Redis state',
    load: loadTarget(child.url, configuration.model, { authorization: `Bearer ${secret}` }),
    process: child,
    authorize: { url: child.url, headers: configuration.authorizeHeaders },
  };
}

/** Creates the virtual key the load is sent with, through the admin API as an operator would. */
async function createVirtualKey(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: Readonly<Record<string, unknown>>,
): Promise<string> {
  const response = await request(`${url}/admin/keys`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.body.text();
  const secret = response.statusCode === 201 ? (JSON.parse(text) as { key?: unknown }).key : undefined;
  if (typeof secret !== 'string') {
    throw new Error(
      `Gatehouse refused to create the benchmark's virtual key (${response.statusCode}): ${text}`,
    );
  }
  return secret;
}

export async function startTargets(
  paths: BenchPaths,
  group: ChildProcessGroup,
  options: StartTargetsOptions,
): Promise<StartedTargets> {
  const childEnvironment = { ...paths.baseEnvironment, NODE_ENV: 'production' };
  const mock = await group.start({
    name: 'mock provider',
    command: paths.nodeBinary,
    arguments: [paths.gatehouseMain, 'mock-provider', '--port', '0', '--host', '127.0.0.1'],
    environment: childEnvironment,
    logFile: join(paths.workDirectory, 'mock-provider.log'),
    readyPattern: /mock provider listening on (http:\/\/\S+)/,
  });
  const targets: BenchTarget[] = [];
  const skipped: { name: TargetName; reason: string }[] = [];
  for (const name of options.requested) {
    switch (name) {
      case 'direct':
        targets.push({
          name,
          label: 'direct to the mock',
          load: loadTarget(mock.url, upstreamModel, { authorization: providerCredential }),
          process: undefined,
        });
        break;
      case 'bare': {
        const child = await group.start({
          name: 'bare proxy',
          command: paths.nodeBinary,
          arguments: [paths.bareProxyMain, '--upstream', mock.url, '--port', '0'],
          environment: childEnvironment,
          logFile: join(paths.workDirectory, 'bare-proxy.log'),
          readyPattern: /bare proxy listening on (http:\/\/\S+)/,
        });
        const load = loadTarget(child.url, upstreamModel, { authorization: providerCredential });
        targets.push({ name, label: 'bare Node.js proxy', load, process: child });
        break;
      }
      case 'gatehouse':
        targets.push(await startGatehouse(name, mock, paths, group, options));
        break;
      case 'gatehouse-redis':
        if (options.redisUrl === undefined) {
          skipped.push({ name, reason: 'no Redis URL (set REDIS_URL or --redis-url)' });
        } else {
          targets.push(await startGatehouse(name, mock, paths, group, options));
        }
        break;
      case 'portkey': {
        const version = portkeyVersion(paths.peersDirectory);
        if (version === undefined || !existsSync(join(paths.peersDirectory, portkeyStartScript))) {
          skipped.push({ name, reason: `not installed (run npm install in ${paths.peersDirectory})` });
          break;
        }
        const preload = pathToFileURL(join(paths.peersDirectory, 'loopback-preload.mjs')).href;
        const child = await group.start({
          name: 'portkey',
          command: paths.nodeBinary,
          arguments: ['--import', preload, portkeyStartScript, '--headless', '--port=0'],
          workingDirectory: paths.peersDirectory,
          environment: childEnvironment,
          logFile: join(paths.workDirectory, 'portkey.log'),
          readyPattern: /peer listening on (http:\/\/\S+)/,
        });
        const load = loadTarget(child.url, upstreamModel, {
          authorization: providerCredential,
          'x-portkey-provider': 'openai',
          'x-portkey-custom-host': `${mock.url}/v1`,
        });
        targets.push({ name, label: `Portkey ${version}`, load, process: child });
        break;
      }
      default: {
        const unknown: never = name;
        throw new Error(`unknown target ${String(unknown)}`);
      }
    }
  }
  return { mock, targets, skipped };
}

/**
 * A second Gatehouse, alike but with the audit log off, for the authorize mode's comparison of
 * decisions/s with audit on (the gatehouse target, as shipped) and off. No upstream: it is only
 * asked for decisions.
 */
export async function startAuditOffGatehouse(
  paths: BenchPaths,
  group: ChildProcessGroup,
): Promise<{ readonly target: AuthorizeHttpTarget; readonly pid: number | undefined }> {
  const name = 'gatehouse-audit-off';
  const configuration = gatewayBenchConfiguration({
    upstreamUrl: 'http://127.0.0.1:9',
    dataDirectory: dataDirectoryFor(paths, name),
    audit: false,
  });
  const child = await launchGatehouse(name, configuration, paths, group);
  return { target: { url: child.url, headers: configuration.authorizeHeaders }, pid: child.pid };
}

/**
 * A second Gatehouse, alike but with prompt-injection detection off, for the guard mode's
 * comparison of chat throughput with the guard on (the gatehouse target, as shipped) and off. It
 * relays to the same mock provider, with its own virtual key.
 */
export async function startGuardOffGatehouse(
  paths: BenchPaths,
  group: ChildProcessGroup,
  mock: RunningChild,
): Promise<{ readonly load: LoadTarget; readonly pid: number | undefined }> {
  const name = 'gatehouse-guard-off';
  const configuration = gatewayBenchConfiguration({
    upstreamUrl: mock.url,
    dataDirectory: dataDirectoryFor(paths, name),
    guard: false,
  });
  const child = await launchGatehouse(name, configuration, paths, group);
  const secret = await createVirtualKey(
    child.url,
    configuration.adminHeaders,
    configuration.virtualKeyRequest,
  );
  return {
    load: loadTarget(child.url, configuration.model, { authorization: `Bearer ${secret}` }),
    pid: child.pid,
  };
}
