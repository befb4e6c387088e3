/** Reads a YAML config file, merges credentials from the environment, validates once. */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError, validateConfig } from './validate.js';
import type { Config } from './types.js';

/** Env variables that fill `credentials`, so a Kubernetes Secret can be mounted as env. */
export const CREDENTIAL_ENV = {
  username: 'METADATACACHE_USERNAME',
  password: 'METADATACACHE_PASSWORD',
  token: 'METADATACACHE_TOKEN',
} as const;

/** Returns the object with env credentials merged over the file's (env wins). Pure. */
export function withEnvCredentials(obj: unknown, env: NodeJS.ProcessEnv): unknown {
  const fromEnv: Record<string, string> = {};
  for (const [key, name] of Object.entries(CREDENTIAL_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  if (Object.keys(fromEnv).length === 0) return obj;
  if (obj === null || obj === undefined) return { credentials: fromEnv };
  if (typeof obj !== 'object' || Array.isArray(obj)) return obj; // validation reports it
  const record = obj as Record<string, unknown>;
  const file = record.credentials;
  const merged =
    file !== null && typeof file === 'object' && !Array.isArray(file)
      ? { ...(file as Record<string, unknown>), ...fromEnv }
      : fromEnv;
  return { ...record, credentials: merged };
}

/** Downward-API env variables a StatefulSet pod gets (the operator sets them). */
export const POD_ENV = { name: 'POD_NAME', ip: 'POD_IP' } as const;

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * Fills this member's identity from the pod when the file leaves it open: `member.id` from
 * POD_NAME (stable across restarts, so the partition table follows the pod), and, when the node
 * listens on a wildcard address, `member.publicAddress` from POD_IP — a member must never announce
 * 0.0.0.0 to clients and peers. Pure.
 */
export function withPodIdentity(config: Config, env: NodeJS.ProcessEnv): Config {
  const name = env[POD_ENV.name];
  const ip = env[POD_ENV.ip];
  const member = { ...config.member };
  if (member.id === undefined && name) member.id = name;
  if (member.publicAddress === undefined && ip && WILDCARD_HOSTS.has(member.host)) {
    member.publicAddress = `${ip}:${member.port}`; // host:port, split at the last colon
  }
  return { ...config, member };
}

/** Parses YAML text; syntax errors become a ConfigError naming the line. */
export function parseConfigText(text: string, source: string): unknown {
  try {
    return parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw new ConfigError([`YAML: ${(err as Error).message.split('\n')[0]}`], source);
  }
}

export async function loadConfig(file: string, env: NodeJS.ProcessEnv = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read file: ${(err as Error).message}`], file);
  }
  const config = validateConfig(withEnvCredentials(parseConfigText(text, file), env), file);
  return withPodIdentity(config, env);
}
