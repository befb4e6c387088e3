import type { Scheduler } from './types.js';

/** Real timers that do not keep the process alive on their own. */
export const realScheduler: Scheduler = {
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};
