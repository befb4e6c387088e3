/**
 * The config boundary: defaults, then one validation (ajv against the shared schema, plus the
 * cross-field rules the CRD expresses in CEL, mirrored here in plain TS). Everything after it
 * receives a typed, valid Config.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { defaultMapSchema, mapSchema, nodeConfigSchema } from './schema.js';
import type { Config, MapConfig } from './types.js';

/** A config that cannot be used; `problems` each name the key path and the rule broken. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: string[],
    readonly source = 'config',
  ) {
    super(`invalid ${source}:\n  ${problems.join('\n  ')}`);
  }
}

/** One ajv instance: strict, with the Kubernetes schema extensions accepted as annotations. */
export function createAjv({ useDefaults = true } = {}): Ajv {
  const ajv = new Ajv({ useDefaults, allErrors: true, strict: true });
  for (const keyword of [
    'x-kubernetes-validations',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-int-or-string',
  ]) {
    ajv.addKeyword({ keyword });
  }
  return ajv;
}

const ajv = createAjv();
const validateNode = ajv.compile<Config>(nodeConfigSchema);

/** `/maps/1/maxEntries` → `maps[1].maxEntries`. */
export function keyPath(pointer: string, child?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let path = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else path += path === '' ? part : `.${part}`;
  }
  return path === '' ? '(root)' : path;
}

export function describeAjvError(err: ErrorObject): string {
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties':
      return `${keyPath(err.instancePath, String(params.additionalProperty))}: unknown key`;
    case 'minProperties':
      return `${keyPath(err.instancePath)}: must name at least one setting`;
    case 'required':
      return `${keyPath(err.instancePath, String(params.missingProperty))}: is required`;
    case 'enum':
      return `${keyPath(err.instancePath)}: must be one of ${(params.allowedValues as unknown[])
        .map((v) => JSON.stringify(v))
        .join(', ')}`;
    default:
      return `${keyPath(err.instancePath)}: ${err.message ?? err.keyword}`;
  }
}

type MapLike = Partial<Pick<MapConfig, 'ttlSeconds' | 'maxIdleSeconds'>>;

/**
 * The CEL rules of the schema, in TS. Keyed by the exact CEL text so a test can check that
 * every `x-kubernetes-validations` rule in the schema has its mirror here.
 */
export const celMirrors: Record<string, (self: MapLike) => boolean> = {
  [mapSchema['x-kubernetes-validations'][0].rule]: (self) =>
    self.ttlSeconds === undefined ||
    self.maxIdleSeconds === undefined ||
    self.ttlSeconds === 0 ||
    self.maxIdleSeconds === 0 ||
    self.maxIdleSeconds < self.ttlSeconds,
};

function celErrors(path: string, self: MapLike): string[] {
  return mapSchema['x-kubernetes-validations']
    .filter((v) => !celMirrors[v.rule](self))
    .map((v) => `${path}${v.fieldPath}: ${v.message}`);
}

/** Rules across fields that a JSON schema cannot say; run on a schema-valid config. */
export function crossFieldErrors(config: Config): string[] {
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  config.maps.forEach((m, i) => {
    const seen = firstIndex.get(m.name);
    if (seen !== undefined) {
      problems.push(`maps[${i}].name: duplicate map name "${m.name}" (also maps[${seen}])`);
    } else firstIndex.set(m.name, i);
    problems.push(...celErrors(`maps[${i}]`, m));
  });
  // defaultMap shares the map settings, so the same rule applies (undeclared maps use it).
  problems.push(...celErrors('defaultMap', config.defaultMap));
  const { discovery, credentials } = config;
  if (discovery.mode === 'dns' && discovery.dnsName === undefined) {
    problems.push('discovery.dnsName: is required when discovery.mode is "dns"');
  }
  if (discovery.mode === 'kubernetes' && discovery.service === undefined) {
    problems.push('discovery.service: is required when discovery.mode is "kubernetes"');
  }
  if (credentials) {
    const { username, password, token } = credentials;
    if ((username === undefined) !== (password === undefined)) {
      problems.push('credentials: username and password must be set together');
    }
    if (username === undefined && token === undefined) {
      problems.push('credentials: set a token, or a username and password');
    }
  }
  return problems;
}

/**
 * Validates a parsed config object (mutates it: ajv fills defaults) and returns it typed.
 * Throws ConfigError listing every problem.
 */
export function validateConfig(input: unknown, source?: string): Config {
  const obj: unknown = input ?? {};
  if (typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ConfigError(['(root): must be an object (a YAML mapping)'], source);
  }
  if (!validateNode(obj)) {
    throw new ConfigError(schemaProblems(validateNode), source);
  }
  const problems = crossFieldErrors(obj);
  if (problems.length > 0) throw new ConfigError(problems, source);
  return obj;
}

function schemaProblems(fn: ValidateFunction): string[] {
  return [...new Set((fn.errors ?? []).map(describeAjvError))];
}

/** Map settings without their defaults: a live patch changes only what it names. */
const mapPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(
    Object.entries(defaultMapSchema.properties).map(([key, prop]) => {
      const { default: _ignored, ...rest } = prop as { default?: unknown };
      return [key, rest];
    }),
  ),
};
const validatePatch = createAjv({ useDefaults: false }).compile<MapSettingsPatch>(mapPatchSchema);

export type MapSettingsPatch = Partial<Omit<MapConfig, 'name'>>;

/**
 * Validates a live settings change for one map (admin API): each key against the same schema
 * pieces as the config file, then the cross-field rule on the settings it would produce.
 */
export function validateMapSettingsPatch(
  patch: unknown,
  current: Omit<MapConfig, 'name'>,
): MapSettingsPatch {
  if (!validatePatch(patch)) {
    throw new ConfigError(schemaProblems(validatePatch), 'map settings');
  }
  const problems = celErrors('', { ...current, ...patch }).map((p) => p.replace(/^\./, ''));
  if (problems.length > 0) throw new ConfigError(problems, 'map settings');
  return patch;
}
