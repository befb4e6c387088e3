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
  return validateConfig(withEnvCredentials(parseConfigText(text, file), env), file);
}
