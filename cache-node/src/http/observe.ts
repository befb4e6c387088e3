/**
 * Per-response operation recording: a route arms a recorder, and whichever code writes the
 * response (handler or error handler) fires it first, so the metric is in place before the
 * client can see the response.
 */
import type { Response } from 'express';

type Recorder = (status: number) => void;
const RECORDER = Symbol('operation recorder');

export function setRecorder(res: Response, recorder: Recorder): void {
  (res.locals as Record<symbol, Recorder>)[RECORDER] = recorder;
}

export function recordOperation(res: Response, status: number): void {
  (res.locals as Record<symbol, Recorder | undefined>)[RECORDER]?.(status);
}
