/**
 * Hazelcast serialized Data (HeapData): int32 BE partition hash, int32 BE type id, payload.
 * The store keeps keys and values in this form so that the HTTP API and Hazelcast clients see
 * the same entries; the server never deserializes arbitrary objects, only the few forms below.
 */
import { murmur3 } from './murmur.js';

export const DATA_HEADER_BYTES = 8;

/** Serializer type ids the node understands (others are stored and served opaquely). */
export const TypeId = {
  NULL: 0,
  STRING: -11,
  DOUBLE: -10,
  INTEGER: -7,
  LONG: -8,
  BOOLEAN: -4,
  BYTE_ARRAY: -12,
  JSON: -130,
} as const;

export type HttpContentType = 'application/json' | 'text/plain' | 'application/octet-stream';

/** Content type used over HTTP for a Data whose type the node cannot map to one of the above. */
export const OPAQUE_CONTENT_TYPE = 'application/vnd.hazelcast.data';

export function typeIdOf(data: Uint8Array): number {
  if (data.length < DATA_HEADER_BYTES) return TypeId.NULL;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getInt32(4, false);
}

/** Partition hash exactly as the client computes it: the header hash, or murmur of the payload. */
export function partitionHash(data: Uint8Array): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const header = data.length >= 4 ? view.getInt32(0, false) : 0;
  if (header !== 0) return header;
  return murmur3(data, Math.min(DATA_HEADER_BYTES, data.length), data.length);
}

/** abs(hash) mod count in JS semantics (Math.abs(-2^31) is +2^31), matching the Node client. */
export function partitionIdOf(data: Uint8Array, partitionCount: number): number {
  return Math.abs(partitionHash(data)) % partitionCount;
}

function withHeader(typeId: number, payloadLength: number): Buffer {
  const buf = Buffer.allocUnsafe(DATA_HEADER_BYTES + payloadLength);
  buf.writeInt32BE(0, 0);
  buf.writeInt32BE(typeId, 4);
  return buf;
}

function encodeUtf8(typeId: number, text: string): Buffer {
  const len = Buffer.byteLength(text, 'utf8');
  const buf = withHeader(typeId, 4 + len);
  buf.writeInt32BE(len, 8);
  buf.write(text, 12, 'utf8');
  return buf;
}

export const encodeString = (text: string): Buffer => encodeUtf8(TypeId.STRING, text);

/** JSON text as a HazelcastJsonValue (type -130): the client reads it back as a parsed object. */
export const encodeJson = (jsonText: string): Buffer => encodeUtf8(TypeId.JSON, jsonText);

export function encodeBytes(bytes: Uint8Array): Buffer {
  const buf = withHeader(TypeId.BYTE_ARRAY, 4 + bytes.length);
  buf.writeInt32BE(bytes.length, 8);
  buf.set(bytes, 12);
  return buf;
}

/** Encode an HTTP body as the Data a Hazelcast client would have written for the same value. */
export function encodeHttpValue(contentType: HttpContentType, body: Buffer): Buffer {
  switch (contentType) {
    case 'application/json':
      return encodeJson(body.toString('utf8'));
    case 'text/plain':
      return encodeString(body.toString('utf8'));
    case 'application/octet-stream':
      return encodeBytes(body);
  }
}

export interface HttpValue {
  contentType: HttpContentType | typeof OPAQUE_CONTENT_TYPE;
  body: Buffer;
}

function utf8Payload(data: Buffer): Buffer | undefined {
  if (data.length < 12) return undefined;
  const len = data.readInt32BE(8);
  if (len < 0 || 12 + len > data.length) return undefined;
  return data.subarray(12, 12 + len);
}

/** Decode a stored Data for an HTTP response; numbers and booleans become JSON. */
export function decodeHttpValue(data: Buffer): HttpValue {
  const opaque: HttpValue = { contentType: OPAQUE_CONTENT_TYPE, body: data };
  switch (typeIdOf(data)) {
    case TypeId.JSON: {
      const body = utf8Payload(data);
      return body ? { contentType: 'application/json', body } : opaque;
    }
    case TypeId.STRING: {
      const body = utf8Payload(data);
      return body ? { contentType: 'text/plain', body } : opaque;
    }
    case TypeId.BYTE_ARRAY: {
      const body = utf8Payload(data);
      return body ? { contentType: 'application/octet-stream', body } : opaque;
    }
    case TypeId.DOUBLE:
      return data.length === 16
        ? {
            contentType: 'application/json',
            body: Buffer.from(JSON.stringify(data.readDoubleBE(8))),
          }
        : opaque;
    case TypeId.INTEGER:
      return data.length === 12
        ? { contentType: 'application/json', body: Buffer.from(String(data.readInt32BE(8))) }
        : opaque;
    case TypeId.LONG:
      return data.length === 16
        ? { contentType: 'application/json', body: Buffer.from(data.readBigInt64BE(8).toString()) }
        : opaque;
    case TypeId.BOOLEAN:
      return data.length === 9
        ? { contentType: 'application/json', body: Buffer.from(data[8] ? 'true' : 'false') }
        : opaque;
    default:
      return opaque;
  }
}

/** A key string on the HTTP API is the same key a Hazelcast client gets for that string. */
export const keyFromString = encodeString;

/** Best-effort readable form of a key (hot keys, logs): strings as text, others as hex. */
export function keyToDisplay(key: Buffer): string {
  if (typeIdOf(key) === TypeId.STRING) {
    const payload = utf8Payload(key);
    if (payload) return payload.toString('utf8');
  }
  return key.toString('hex');
}
