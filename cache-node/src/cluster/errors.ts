/**
 * Errors of the cluster data path. ClusterUnavailableError is retryable: the Hazelcast client
 * retries it (code 46) and HTTP answers 503 with Retry-After.
 */
import { ErrorCode, ProtocolError } from '../protocol/errors.js';
import { UnknownMapError } from '../service/map-service.js';
import { CapacityError } from '../store/types.js';
import { RemoteError } from './channel.js';

export class ClusterUnavailableError extends ProtocolError {
  readonly retryable = true;
  readonly code = 'ClusterUnavailableError';
  constructor(message: string) {
    super(ErrorCode.RETRYABLE_HAZELCAST, message);
  }
}

/** Rebuild, on the calling member, the error the owner raised, so front ends map it the same way. */
export function localErrorFor(err: unknown, map: string): Error {
  if (err instanceof RemoteError) {
    if (err.code === 'UnknownMapError') return new UnknownMapError(map);
    if (err.code === 'CapacityError') return new CapacityError(err.message);
    if (err.retryable) return new ClusterUnavailableError(err.message);
    return new Error(err.message);
  }
  if (err instanceof Error && err.name === 'ChannelClosedError') {
    return new ClusterUnavailableError(`partition owner unreachable: ${err.message}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
