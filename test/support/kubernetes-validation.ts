import { join } from 'node:path';
import ts from 'typescript';
import { projectRoot } from './cli.js';

/**
 * Validation of Kubernetes manifests without a cluster, against the Kubernetes API of one stated
 * version, from the `kubernetes-models` package (devDependency). That package is generated from the
 * Kubernetes OpenAPI specification: its validators are the API's JSON Schemas compiled with Ajv, and
 * its TypeScript interfaces are the same definitions as types.
 *
 * 1. `validateWithJsonSchema`: the JSON Schema of the kind (types, required fields, enums, formats).
 * 2. `unknownFields`: the OpenAPI schemas allow unknown fields (the API server prunes or rejects them
 *    at apply time), so a misspelt field (`readinessprobe`) would pass (1). This walks the manifest
 *    alongside the kind's TypeScript interface and reports every field the API does not define:
 *    what `kubeconform -strict` does with "additionalProperties: false" schemas.
 */

/** The API version the manifests target; kubernetes-models 5.x is generated from Kubernetes v1.36. */
export const kubernetesVersion = 'v1.36';

/** Group versions served (GA) by Kubernetes v1.36 for the kinds we ship; anything else is refused. */
export const servedApiVersions: Readonly<Record<string, readonly string[]>> = {
  v1: ['ConfigMap', 'Service', 'ServiceAccount', 'Secret', 'Namespace'],
  'apps/v1': ['Deployment', 'StatefulSet', 'DaemonSet'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'policy/v1': ['PodDisruptionBudget'],
  'networking.k8s.io/v1': ['NetworkPolicy', 'Ingress'],
};

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** `apps/v1` + `Deployment` → `kubernetes-models/apps/v1/Deployment`; core `v1` → `kubernetes-models/v1/...`. */
function modelModule(manifest: Manifest): string {
  return `kubernetes-models/${manifest.apiVersion}/${manifest.kind}`;
}

interface ValidationError {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: unknown;
}

/** Problems found by the kind's JSON Schema, as `path: message` lines; empty when valid. */
export async function validateWithJsonSchema(manifest: Manifest): Promise<string[]> {
  const module = (await import(modelModule(manifest))) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = module[manifest.kind];
  if (Model === undefined) return [`${manifest.apiVersion} ${manifest.kind}: no such model`];
  try {
    new Model(manifest).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: ValidationError[] }).errors;
    if (errors === undefined) return [String(error)];
    return errors.map(
      (problem) =>
        `${problem.instancePath ?? ''}: ${problem.message ?? ''} ${JSON.stringify(problem.params ?? {})}`,
    );
  }
}

/**
 * Builds one TypeScript program over the interfaces of the given kinds (a second or two), and
 * returns a function listing the fields of a manifest that its kind does not define.
 */
export function createUnknownFieldChecker(manifests: readonly Manifest[]): (manifest: Manifest) => string[] {
  const kinds = [...new Map(manifests.map((manifest) => [modelModule(manifest), manifest])).values()];
  const fileName = join(projectRoot, '__kubernetes_manifest_types__.ts');
  const source = kinds
    .map(
      (manifest, index) =>
        `import type { I${manifest.kind} as T${index} } from '${modelModule(manifest)}';\nexport declare const m${index}: T${index};`,
    )
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  const program = ts.createProgram([fileName], options, host);
  const problems = ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  if (problems.length > 0) throw new Error(`cannot load the Kubernetes types:\n${problems.join('\n')}`);
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(fileName);
  const moduleSymbol = sourceFile === undefined ? undefined : checker.getSymbolAtLocation(sourceFile);
  const rootTypes = new Map<string, ts.Type>();
  for (const [index, manifest] of kinds.entries()) {
    const symbol =
      moduleSymbol === undefined ? undefined : checker.tryGetMemberInModuleExports(`m${index}`, moduleSymbol);
    if (symbol === undefined) throw new Error(`no type for ${modelModule(manifest)}`);
    rootTypes.set(modelModule(manifest), checker.getTypeOfSymbol(symbol));
  }

  const walk = (value: unknown, type: ts.Type, path: string, found: string[]): void => {
    if (value === null || typeof value !== 'object') return;
    const declared = checker.getNonNullableType(type);
    if (Array.isArray(value)) {
      const element = checker.isArrayType(declared)
        ? checker.getTypeArguments(declared as ts.TypeReference)[0]
        : checker.getIndexTypeOfType(declared, ts.IndexKind.Number);
      if (element === undefined) {
        found.push(`${path}: a list where the API expects ${checker.typeToString(declared)}`);
        return;
      }
      for (const [index, item] of value.entries()) walk(item, element, `${path}[${index}]`, found);
      return;
    }
    const objects = (declared.isUnion() ? declared.types : [declared]).filter(
      (member) => (member.flags & ts.TypeFlags.Object) !== 0,
    );
    const objectType = objects[0];
    // A field typed `any`, or a union of several object shapes: nothing to compare against.
    if (objects.length !== 1 || objectType === undefined) return;
    const index = checker.getIndexTypeOfType(objectType, ts.IndexKind.String);
    for (const [key, child] of Object.entries(value)) {
      const property = checker.getPropertyOfType(objectType, key);
      if (property !== undefined) walk(child, checker.getTypeOfSymbol(property), `${path}.${key}`, found);
      else if (index !== undefined) walk(child, index, `${path}.${key}`, found);
      else found.push(`${path}.${key}: unknown field`);
    }
  };

  return (manifest) => {
    const type = rootTypes.get(modelModule(manifest));
    if (type === undefined) return [`${manifest.apiVersion} ${manifest.kind}: not prepared`];
    const found: string[] = [];
    walk(manifest, type, manifest.kind, found);
    return found;
  };
}
