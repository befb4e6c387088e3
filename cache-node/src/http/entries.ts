/** PUT/GET/DELETE /v1/maps/{map}/entries/{key}: route → MapService call → response. */
import express, { Router, type Request, type Response } from 'express';
import { decodeHttpValue, encodeHttpValue, type HttpContentType } from '../data/index.js';
import type { Operation, OperationResult } from '../metrics.js';
import type { HttpContext } from './context.js';
import { HttpError } from './errors.js';
import { recordOperation, setRecorder } from './observe.js';
import {
  checkEntryBody,
  parseEntryContentType,
  parseKey,
  parseMapName,
  parseTtl,
} from './request.js';

/** Map label for requests refused before a map was known: keeps the label set bounded. */
export const UNKNOWN_MAP_LABEL = '_unknown';

interface EntryLocals {
  map: string;
  key: Buffer;
  contentType?: HttpContentType;
  ttlMs?: number | undefined;
  result?: OperationResult;
}

const locals = (res: Response) => res.locals as EntryLocals;
const param = (req: Request, name: string) => String(req.params[name]);

export function entriesRouter(ctx: HttpContext): Router {
  const { mapService, store, config } = ctx;
  const now = ctx.now ?? (() => performance.now());
  const router = Router();

  /**
   * Arms the operation metric: it is recorded just before the response is written, by the
   * handler (success) or by the app's error handler (any failure, including body parsing).
   */
  const observe =
    (operation: Operation) => (req: Request, res: Response, next: express.NextFunction) => {
      const start = now();
      const name = param(req, 'map');
      let done = false;
      setRecorder(res, (status) => {
        if (done) return;
        done = true;
        const map = store.getMap(name) ? name : UNKNOWN_MAP_LABEL;
        // Bad input and a full map (507) are refusals; other 5xx are errors of ours.
        const result =
          locals(res).result ?? (status >= 500 && status !== 507 ? 'error' : ('rejected' as const));
        ctx.metrics.observeOperation('http', map, operation, result, (now() - start) / 1000);
      });
      next();
    };

  /** Map name and key are checked before any body is read. */
  const target = (req: Request, res: Response, next: express.NextFunction) => {
    locals(res).map = parseMapName(param(req, 'map'));
    locals(res).key = parseKey(param(req, 'key'), config.limits.maxKeyBytes);
    next();
  };

  const path = '/v1/maps/:map/entries/:key';

  router.put(
    path,
    observe('put'),
    target,
    // Headers and query are checked before the body is read: a refusal costs no upload.
    (req, res, next) => {
      locals(res).contentType = parseEntryContentType(req.headers['content-type']);
      locals(res).ttlMs = parseTtl(req.query.ttl);
      next();
    },
    express.raw({ type: () => true, limit: config.limits.maxValueBytes }),
    async (req, res) => {
      // contentType is always set by the check above; the default only satisfies the type.
      const { map, key, contentType = 'application/octet-stream', ttlMs } = locals(res);
      // express.raw leaves no Buffer for an empty body.
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      checkEntryBody(contentType, body);
      const value = encodeHttpValue(contentType, body);
      const previous = await mapService.put(map, key, value, ttlMs === undefined ? {} : { ttlMs });
      locals(res).result = 'ok';
      const status = previous === undefined ? 201 : 204;
      recordOperation(res, status);
      res.status(status).end();
    },
  );

  router.get(path, observe('get'), target, async (_req, res) => {
    const { map, key } = locals(res);
    const value = await mapService.get(map, key);
    if (value === undefined) {
      locals(res).result = 'miss';
      throw new HttpError(404, 'not_found', 'no entry with this key');
    }
    locals(res).result = 'hit';
    recordOperation(res, 200);
    const decoded = decodeHttpValue(value);
    res.status(200).type(decoded.contentType).send(decoded.body);
  });

  router.delete(path, observe('delete'), target, async (_req, res) => {
    const { map, key } = locals(res);
    const removed = await mapService.delete(map, key);
    locals(res).result = 'ok';
    if (!removed) throw new HttpError(404, 'not_found', 'no entry with this key');
    recordOperation(res, 204);
    res.status(204).end();
  });

  router.all(path, (req) => {
    throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on an entry`, {
      Allow: 'GET, HEAD, PUT, DELETE',
    });
  });

  return router;
}
