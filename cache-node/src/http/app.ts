/**
 * The express app of a member: health and metrics (open), then the /v1 API behind credentials.
 * Routes stay thin (route → service/store call → response); errors become JSON bodies here.
 */
import express, { type ErrorRequestHandler, type Express } from 'express';
import { adminRouter } from './admin.js';
import { requireCredentials } from './auth.js';
import type { HttpContext } from './context.js';
import { entriesRouter } from './entries.js';
import { HttpError, errorBody, toHttpError } from './errors.js';
import { mapsRouter } from './maps.js';
import { recordOperation } from './observe.js';

export function createHttpApp(ctx: HttpContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    if (ctx.isReady()) res.json({ status: 'ready' });
    else res.status(503).json(errorBody(new HttpError(503, 'not_ready', 'not serving yet')));
  });
  app.get('/metrics', async (_req, res) => {
    const text = await ctx.metrics.text();
    res.type(ctx.metrics.contentType).send(text);
  });

  app.use('/v1', requireCredentials(ctx.config.credentials));
  app.use(entriesRouter(ctx));
  app.use(mapsRouter(ctx));
  app.use(adminRouter(ctx));

  app.use((req, _res, next) => {
    next(new HttpError(404, 'no_route', `no route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(ctx));
  return app;
}

function errorHandler(ctx: HttpContext): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const httpError = toHttpError(err);
    if (httpError.status >= 500) {
      ctx.logger.error('request failed', { method: req.method, path: req.path, err });
    }
    recordOperation(res, httpError.status);
    res.status(httpError.status).set(httpError.headers).json(errorBody(httpError));
  };
}
