/** Bearer-token (and Basic user:password) check for the /v1 API. Pure apart from the middleware. */
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Credentials } from '../config/types.js';
import { HttpError } from './errors.js';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // timingSafeEqual needs equal lengths; the length itself is not the secret.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether an Authorization header value satisfies the configured credentials. */
export function isAuthorized(header: string | undefined, credentials: Credentials): boolean {
  if (header === undefined) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && credentials.token !== undefined) {
    return sameSecret(value, credentials.token);
  }
  if (scheme === 'basic' && credentials.username !== undefined) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    return (
      sameSecret(decoded.slice(0, colon), credentials.username) &&
      sameSecret(decoded.slice(colon + 1), credentials.password ?? '')
    );
  }
  return false;
}

/** Refuses requests without valid credentials (401); a no-op when none are configured. */
export function requireCredentials(credentials: Credentials | undefined): RequestHandler {
  return (req, _res, next) => {
    if (credentials === undefined || isAuthorized(req.headers.authorization, credentials)) {
      next();
      return;
    }
    const challenge = credentials.token !== undefined ? 'Bearer' : 'Basic';
    next(
      new HttpError(
        401,
        'unauthorized',
        req.headers.authorization === undefined
          ? 'credentials required: send Authorization: Bearer <token>'
          : 'invalid credentials',
        { 'WWW-Authenticate': `${challenge} realm="metadatacache"` },
      ),
    );
  };
}
