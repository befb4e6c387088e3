/**
 * HTTP errors: one class carrying status and a stable code, and one table turning the errors of
 * lower layers into it. Every error response is `{"error": {"code", "message"}}`.
 */
import { ConfigError } from '../config/validate.js';
import { UnknownMapError } from '../service/map-service.js';
import { CapacityError } from '../store/types.js';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

/** body-parser marks its errors with `type` and `status`; the router sets `status` 400 on a bad path. */
interface StatusError {
  type?: unknown;
  status?: unknown;
  message?: unknown;
}

const PARSER_ERRORS: Record<string, [number, string, string]> = {
  'entity.too.large': [413, 'value_too_large', 'request body is over limits.maxValueBytes'],
  'entity.parse.failed': [400, 'malformed_json', 'request body is not valid JSON'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'unsupported Content-Encoding'],
  'charset.unsupported': [415, 'unsupported_charset', 'only UTF-8 bodies are accepted'],
  'request.aborted': [400, 'request_aborted', 'the request was aborted'],
  'request.size.invalid': [400, 'bad_request', 'request size did not match Content-Length'],
};

/** The HttpError for anything thrown while serving; unknown errors are a 500. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof UnknownMapError) return new HttpError(404, 'unknown_map', err.message);
  if (err instanceof CapacityError) return new HttpError(507, 'capacity', err.message);
  // The cluster's retryable errors (owner moving or unreachable, member joining): try again.
  if (err instanceof Error && (err as { retryable?: unknown }).retryable === true) {
    return new HttpError(503, 'unavailable', err.message, { 'retry-after': '1' });
  }
  if (err instanceof ConfigError) {
    return new HttpError(400, 'invalid_settings', err.problems.join('; '));
  }
  const { type, status, message } = (err ?? {}) as StatusError;
  if (typeof type === 'string' && type in PARSER_ERRORS) {
    const [code400, code, text] = PARSER_ERRORS[type];
    return new HttpError(code400, code, text);
  }
  // Other client errors of express and body-parser (undecodable path, corrupt gzip body).
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(
      status,
      'bad_request',
      typeof message === 'string' ? message : 'bad request',
    );
  }
  return new HttpError(500, 'internal', 'internal error');
}

export const errorBody = (err: HttpError): ErrorBody => ({
  error: { code: err.code, message: err.message },
});
