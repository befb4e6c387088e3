/**
 * Authentication (spec §1.2–1.3): decoding the two request forms and the pure decision.
 * Refusals use the status codes the client understands; the caller logs them.
 */
import { timingSafeEqual } from 'node:crypto';
import { readByteArray, readNullableString, readString, readUuid } from './codecs.js';
import { FrameReader, MessageBuilder, Offset, REQUEST_HEADER_BYTES } from './message.js';
import type { Message } from './frame.js';
import { addAddress, addString, UUID_BYTES, writeUuid, type Address } from './codecs.js';
import { ClientMessageType } from './message-types.js';

export const AuthStatus = {
  AUTHENTICATED: 0,
  CREDENTIALS_FAILED: 1,
  SERIALIZATION_VERSION_MISMATCH: 2,
  NOT_ALLOWED_IN_CLUSTER: 3,
} as const;
export type AuthStatusCode = (typeof AuthStatus)[keyof typeof AuthStatus];

export interface Credentials {
  username?: string;
  password?: string;
  token?: string;
}

export interface AuthRequest {
  clientUuid: string | null;
  serializationVersion: number;
  clusterName: string;
  /** Username/password form (0x000100). */
  username: string | null;
  password: string | null;
  /** Custom form (0x000200): raw token bytes. */
  token: Buffer | null;
  clientType: string;
  clientVersion: string;
  clientName: string;
}

/** Decodes both forms; fixed fields beyond serializationVersion (newer clients) are ignored. */
export function decodeAuthRequest(m: Message): AuthRequest {
  const r = new FrameReader(m);
  const c = r.requireInitial(REQUEST_HEADER_BYTES + UUID_BYTES + 1);
  const custom = c.readInt32LE(Offset.TYPE) === ClientMessageType.AUTHENTICATION_CUSTOM;
  const clientUuid = readUuid(c, Offset.REQUEST_FIXED);
  const serializationVersion = c[Offset.REQUEST_FIXED + UUID_BYTES];
  const clusterName = readString(r);
  let username: string | null = null;
  let password: string | null = null;
  let token: Buffer | null = null;
  if (custom) token = Buffer.from(readByteArray(r));
  else {
    username = readNullableString(r);
    password = readNullableString(r);
  }
  const clientType = readString(r);
  const clientVersion = readString(r);
  const clientName = readString(r);
  return {
    clientUuid,
    serializationVersion,
    clusterName,
    username,
    password,
    token,
    clientType,
    clientVersion,
    clientName,
  };
}

function sameSecret(a: string | Buffer, b: string): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The decision, with the reason to log on refusal. A node without credentials accepts any;
 * with a token it accepts that token (custom form) and, when a username/password is also set,
 * that pair; a wrong cluster name is refused like the Java member does (CREDENTIALS_FAILED).
 */
export function authenticate(
  req: AuthRequest,
  expect: { clusterName: string; credentials?: Credentials | undefined },
): { status: AuthStatusCode; reason?: string } {
  if (req.serializationVersion !== 1) {
    return {
      status: AuthStatus.SERIALIZATION_VERSION_MISMATCH,
      reason: `serialization version ${req.serializationVersion} is not 1`,
    };
  }
  if (req.clusterName !== expect.clusterName) {
    return {
      status: AuthStatus.CREDENTIALS_FAILED,
      reason: `cluster name "${req.clusterName}" is not "${expect.clusterName}"`,
    };
  }
  if (!req.clientUuid) return { status: AuthStatus.CREDENTIALS_FAILED, reason: 'no client UUID' };
  const creds = expect.credentials;
  const needsPassword = creds?.username !== undefined && creds.password !== undefined;
  const needsToken = creds?.token !== undefined;
  if (!needsPassword && !needsToken) return { status: AuthStatus.AUTHENTICATED };
  if (req.token) {
    if (needsToken && sameSecret(req.token, creds.token!))
      return { status: AuthStatus.AUTHENTICATED };
    return { status: AuthStatus.CREDENTIALS_FAILED, reason: 'wrong token' };
  }
  if (
    needsPassword &&
    req.username !== null &&
    req.password !== null &&
    sameSecret(req.username, creds.username!) &&
    sameSecret(req.password, creds.password!)
  ) {
    return { status: AuthStatus.AUTHENTICATED };
  }
  return {
    status: AuthStatus.CREDENTIALS_FAILED,
    reason: req.username === null ? 'credentials required' : 'wrong username or password',
  };
}

export interface AuthResponseFields {
  status: AuthStatusCode;
  memberUuid: string;
  partitionCount: number;
  clusterId: string;
  address: Address;
  serverVersion: string;
}

/** Authentication response (spec §1.3): 54-byte initial frame, address, server version. */
export function encodeAuthResponse(correlation: bigint, f: AuthResponseFields): Buffer {
  const b = MessageBuilder.response(ClientMessageType.AUTHENTICATION + 1, correlation, 41);
  const c = b.initial;
  c[13] = f.status;
  writeUuid(c, 14, f.memberUuid);
  c[31] = 1; // serialization version
  c.writeInt32LE(f.partitionCount, 32);
  writeUuid(c, 36, f.clusterId);
  c[53] = 0; // failoverSupported
  addAddress(b, f.address);
  addString(b, f.serverVersion);
  return b.build();
}
