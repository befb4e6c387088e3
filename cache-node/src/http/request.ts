/** Pure checks of request parts; each returns the parsed value or throws an HttpError. */
import { mapSchema } from '../config/schema.js';
import { keyFromString, type HttpContentType } from '../data/index.js';
import { HttpError } from './errors.js';

const MAP_NAME = new RegExp(mapSchema.properties.name.pattern);
const MAP_NAME_MAX = mapSchema.properties.name.maxLength;
/** The longest TTL a map may be configured with; a put may not exceed it either. */
const TTL_MAX_SECONDS = mapSchema.properties.ttlSeconds.maximum;
export const ENTRY_CONTENT_TYPES: readonly HttpContentType[] = [
  'application/json',
  'text/plain',
  'application/octet-stream',
];

export function parseMapName(name: string): string {
  if (name.length > MAP_NAME_MAX || !MAP_NAME.test(name)) {
    throw new HttpError(
      400,
      'invalid_map_name',
      `map name must be 1-${MAP_NAME_MAX} characters of letters, digits and . _ : - (pattern ${mapSchema.properties.name.pattern})`,
    );
  }
  return name;
}

/** The key as Hazelcast Data (the same bytes a client writes for that string). */
export function parseKey(key: string, maxKeyBytes: number): Buffer {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > maxKeyBytes) {
    throw new HttpError(
      414,
      'key_too_long',
      `key is ${bytes} bytes; limits.maxKeyBytes is ${maxKeyBytes}`,
    );
  }
  return keyFromString(key);
}

/** `?ttl=SECONDS` → milliseconds (0 = never expires); absent → undefined (map default). */
export function parseTtl(ttl: unknown): number | undefined {
  if (ttl === undefined) return undefined;
  if (typeof ttl !== 'string' || !/^\d{1,9}$/.test(ttl) || Number(ttl) > TTL_MAX_SECONDS) {
    throw new HttpError(
      400,
      'bad_ttl',
      `ttl must be a whole number of seconds from 0 to ${TTL_MAX_SECONDS} (0 = never expires)`,
    );
  }
  return Number(ttl) * 1000;
}

/** The media type of a Content-Type header, if it is one an entry may be stored as. */
export function parseEntryContentType(header: string | undefined): HttpContentType {
  const [type = '', ...params] = (header ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  const found = ENTRY_CONTENT_TYPES.find((t) => t === type);
  if (!found) {
    throw new HttpError(
      415,
      'unsupported_content_type',
      `Content-Type must be one of ${ENTRY_CONTENT_TYPES.join(', ')}${header ? ` (got "${header}")` : ' (none given)'}`,
    );
  }
  if (charset !== undefined && found !== 'application/octet-stream') {
    const name = charset.replace(/"/g, '');
    if (name !== 'utf-8' && name !== 'utf8') {
      throw new HttpError(415, 'unsupported_charset', 'only UTF-8 text is accepted');
    }
  }
  return found;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks a body against its content type (UTF-8 text; well-formed JSON). */
export function checkEntryBody(contentType: HttpContentType, body: Buffer): void {
  if (contentType === 'application/octet-stream') return;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new HttpError(400, 'invalid_utf8', 'body is not valid UTF-8');
  }
  if (contentType === 'application/json') {
    try {
      JSON.parse(text);
    } catch (err) {
      throw new HttpError(
        400,
        'malformed_json',
        `body is not valid JSON: ${(err as Error).message}`,
      );
    }
  }
}
