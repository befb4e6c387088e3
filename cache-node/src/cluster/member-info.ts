/** Who a member is, as exchanged in the member handshake and shown to clients. */
export interface MemberInfo {
  /** Stable id (pod name, or host:port locally); the partition table ranks on it. */
  id: string;
  /** Random per process start; the Hazelcast member UUID clients see. */
  uuid: string;
  /** Host clients and peers use to reach this member. */
  host: string;
  /** Hazelcast client port. */
  port: number;
  /** Member transport port. */
  memberPort: number;
  /** HTTP API port (for forwarding diagnostics and tests). */
  httpPort?: number;
  zone?: string;
}

/** The member transport listens this far above the client port (documented in docs/cluster.md). */
export const MEMBER_PORT_OFFSET = 10000;

export const memberPortFor = (clientPort: number): number =>
  clientPort + MEMBER_PORT_OFFSET <= 65535
    ? clientPort + MEMBER_PORT_OFFSET
    : clientPort - MEMBER_PORT_OFFSET;

export function isMemberInfo(v: unknown): v is MemberInfo {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m.id === 'string' &&
    typeof m.uuid === 'string' &&
    typeof m.host === 'string' &&
    typeof m.port === 'number' &&
    typeof m.memberPort === 'number' &&
    (m.zone === undefined || typeof m.zone === 'string')
  );
}

/** Parses `host:port` (the client port) of a discovery entry; undefined when malformed. */
export function parseHostPort(entry: string): { host: string; port: number } | undefined {
  const at = entry.lastIndexOf(':');
  if (at <= 0) return undefined;
  const port = Number(entry.slice(at + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: entry.slice(0, at), port };
}
