/**
 * What the protocol server reports: a logger and metric hooks, both injected (node.ts wires them
 * to the node's logger and prom-client registry; tests pass nothing or spies).
 */
/** docs/metrics.md names, defined once in ../metrics.ts (type-only: no prom-client here). */
import type {
  Operation as OperationName,
  OperationResult,
  ProtocolErrorReason,
} from '../metrics.js';
export type { OperationName, OperationResult, ProtocolErrorReason };

export interface ProtocolLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: ProtocolLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface ProtocolMetrics {
  /** metadatacache_client_connections (gauge). */
  clientConnections(count: number): void;
  /** metadatacache_protocol_errors_total{reason}. */
  protocolError(reason: ProtocolErrorReason): void;
  /** metadatacache_invalidations_sent_total{map, target="client"}. */
  invalidationsSent(map: string, count: number): void;
  /** metadatacache_invalidations_dropped_total{map, reason}. */
  invalidationsDropped(map: string, reason: 'slow_client' | 'disconnected', count: number): void;
  /** metadatacache_operations_total / _duration_seconds with api="hazelcast". */
  operation(map: string, operation: OperationName, result: OperationResult, seconds: number): void;
}

export const noMetrics: ProtocolMetrics = {
  clientConnections: () => undefined,
  protocolError: () => undefined,
  invalidationsSent: () => undefined,
  invalidationsDropped: () => undefined,
  operation: () => undefined,
};
