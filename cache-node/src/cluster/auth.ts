/**
 * Member handshake credentials: cluster name plus the configured credentials. A process without
 * them cannot join or receive data.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface ClusterCredentials {
  username?: string;
  password?: string;
  token?: string;
}

export interface HelloAuth {
  clusterName: string;
  /** sha256 over the credentials; never the credentials themselves. */
  proof: string;
}

function digest(clusterName: string, creds: ClusterCredentials | undefined): Buffer {
  return createHash('sha256')
    .update(
      JSON.stringify([
        clusterName,
        creds?.username ?? '',
        creds?.password ?? '',
        creds?.token ?? '',
      ]),
    )
    .digest();
}

export function makeHelloAuth(clusterName: string, creds?: ClusterCredentials): HelloAuth {
  return { clusterName, proof: digest(clusterName, creds).toString('base64') };
}

/** Why the hello is refused, or undefined when it is accepted. */
export function checkHelloAuth(
  received: unknown,
  clusterName: string,
  creds?: ClusterCredentials,
): string | undefined {
  if (typeof received !== 'object' || received === null) return 'missing credentials';
  const r = received as Record<string, unknown>;
  if (r.clusterName !== clusterName) {
    return `wrong cluster name "${String(r.clusterName)}" (expected "${clusterName}")`;
  }
  if (typeof r.proof !== 'string') return 'missing credentials';
  const got = Buffer.from(r.proof, 'base64');
  const want = digest(clusterName, creds);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return 'wrong credentials';
  return undefined;
}
