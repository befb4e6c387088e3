export { createHttpApp } from './app.js';
export type { HttpContext } from './context.js';
export { listenHttp, type HttpServer } from './server.js';
export { HttpError } from './errors.js';
