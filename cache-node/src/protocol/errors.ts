/**
 * The one table of error codes this server sends (spec §4; the numbers are the client's
 * ClientProtocolErrorCodes), and the error response encoder. The client decides whether to retry
 * from the code alone, so every refusal goes through `errorFor` to get the code right.
 */
import { CapacityError } from '../store/types.js';
import { UnknownMapError } from '../service/map-service.js';
import { addErrorHolder } from './codecs.js';
import { MessageBuilder, DecodeError } from './message.js';

export interface ErrorKind {
  code: number;
  className: string;
  /** Whether hazelcast-client retries a request refused with this code. */
  retryable: boolean;
}

export const ErrorCode = {
  ILLEGAL_ARGUMENT: { code: 23, className: 'java.lang.IllegalArgumentException', retryable: false },
  ILLEGAL_STATE: { code: 27, className: 'java.lang.IllegalStateException', retryable: false },
  HAZELCAST: { code: 18, className: 'com.hazelcast.core.HazelcastException', retryable: false },
  REACHED_MAX_SIZE: {
    code: 43,
    className: 'com.hazelcast.map.ReachedMaxSizeException',
    retryable: false,
  },
  /** The client retries these (partition moved, member not ready, …). */
  RETRYABLE_HAZELCAST: {
    code: 46,
    className: 'com.hazelcast.spi.exception.RetryableHazelcastException',
    retryable: true,
  },
  PARTITION_MIGRATING: {
    code: 39,
    className: 'com.hazelcast.spi.exception.PartitionMigratingException',
    retryable: true,
  },
  HAZELCAST_INSTANCE_NOT_ACTIVE: {
    code: 19,
    className: 'com.hazelcast.core.HazelcastInstanceNotActiveException',
    retryable: true,
  },
  UNSUPPORTED_OPERATION: {
    code: 61,
    className: 'java.lang.UnsupportedOperationException',
    retryable: false,
  },
  AUTHENTICATION: {
    code: 3,
    className: 'com.hazelcast.client.AuthenticationException',
    retryable: false,
  },
} as const satisfies Record<string, ErrorKind>;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Map anything thrown while serving a request to the error the client should see. */
export function errorFor(err: unknown): { kind: ErrorKind; message: string } {
  if (err instanceof ProtocolError) return { kind: err.kind, message: err.message };
  if (err instanceof UnknownMapError)
    return { kind: ErrorCode.ILLEGAL_ARGUMENT, message: err.message };
  if (err instanceof CapacityError)
    return { kind: ErrorCode.REACHED_MAX_SIZE, message: err.message };
  if (err instanceof DecodeError) {
    return { kind: ErrorCode.ILLEGAL_ARGUMENT, message: `malformed request: ${err.message}` };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { kind: ErrorCode.HAZELCAST, message };
}

/** Error response (spec §4.1): type 0, the correlation id, then List<ErrorHolder>. */
export function encodeErrorResponse(correlation: bigint, kind: ErrorKind, message: string): Buffer {
  const b = MessageBuilder.response(0, correlation);
  b.begin();
  addErrorHolder(b, { code: kind.code, className: kind.className, message });
  b.end();
  return b.build();
}
